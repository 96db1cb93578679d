// "Copy link": copies the text of the field a button names (data-copy) and says so. Without
// script the button stays hidden and the field, read-only, can still be selected and copied.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var said = document.getElementById(button.getAttribute("data-copy") + "-copied");
    if (!field) { return; }
    button.hidden = false;
    function done(message) { if (said) { said.textContent = message; } }
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { done("Link copied."); },
          function () { done("Select the link above and copy it."); }
        );
      } else {
        done(document.execCommand("copy") ? "Link copied." : "Select the link above and copy it.");
      }
    });
  });
})();
