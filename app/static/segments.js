// A text message's length as it is typed: characters and SMS segments of the template itself
// (the variables' values change it; the Preview button shows the message as sent). GSM-7 fits
// 160 characters in one segment and 153 per segment when split; any other character makes the
// whole text UCS-2: 70, then 67 (counted in UTF-16 units).
(function () {
  "use strict";
  var GSM = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡" +
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENDED = "^{}\\[~]|€";
  function length(text) {
    var units = 0, gsm = true, i, c;
    for (i = 0; i < text.length; i += 1) {
      c = text.charAt(i);
      if (EXTENDED.indexOf(c) >= 0) { units += 2; } else if (GSM.indexOf(c) >= 0) { units += 1; } else { gsm = false; }
    }
    if (!gsm) { units = text.length; }
    var single = gsm ? 160 : 70, part = gsm ? 153 : 67;
    var segments = units === 0 ? 0 : (units <= single ? 1 : Math.ceil(units / part));
    return Array.from(text).length + " characters, " + segments + " segment" + (segments === 1 ? "" : "s") + (gsm ? "" : " (UCS-2)");
  }
  document.querySelectorAll("textarea[data-segments]").forEach(function (area) {
    var out = document.getElementById(area.getAttribute("data-segments"));
    if (!out) { return; }
    function update() { out.textContent = "As typed: " + length(area.value); }
    area.addEventListener("input", update);
    update();
  });
})();
