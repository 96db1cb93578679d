// The customer's signature, drawn with a finger (or mouse) on a canvas. On submit the drawing
// goes into the form's hidden "signature" field as a PNG data URL; an untouched pad sends nothing.
(function () {
  "use strict";
  var pad = document.getElementById("signature-pad");
  if (!pad) { return; }
  var form = pad.form || pad.closest("form");
  var field = form.querySelector("input[name=signature]");
  var clear = document.getElementById("signature-clear");
  var ink = pad.getContext("2d");
  var drawn = false;
  var last = null;

  function size() {
    // Sharp lines on dense screens, without making the PNG needlessly large.
    var ratio = Math.min(window.devicePixelRatio || 1, 2);
    var box = pad.getBoundingClientRect();
    pad.width = Math.round(box.width * ratio);
    pad.height = Math.round(box.height * ratio);
    ink.setTransform(ratio, 0, 0, ratio, 0, 0);
    ink.lineWidth = 2.5;
    ink.lineCap = "round";
    ink.lineJoin = "round";
    ink.strokeStyle = "#16202b";
  }

  function point(event) {
    var box = pad.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  function start(event) {
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    last = point(event);
    ink.beginPath();
    ink.arc(last.x, last.y, ink.lineWidth / 2, 0, 2 * Math.PI);
    ink.fillStyle = ink.strokeStyle;
    ink.fill();
    drawn = true;
  }

  function move(event) {
    if (!last) { return; }
    event.preventDefault();
    var next = point(event);
    ink.beginPath();
    ink.moveTo(last.x, last.y);
    ink.lineTo(next.x, next.y);
    ink.stroke();
    last = next;
  }

  function stop() { last = null; }

  function wipe() {
    ink.clearRect(0, 0, pad.width, pad.height);
    drawn = false;
    field.value = "";
  }

  size();
  if (field.value) {
    // A signature given before the form came back with an error: show it again.
    var image = new Image();
    image.onload = function () {
      var box = pad.getBoundingClientRect();
      ink.drawImage(image, 0, 0, box.width, box.height);
      drawn = true;
    };
    image.src = field.value;
  }
  pad.addEventListener("pointerdown", start);
  pad.addEventListener("pointermove", move);
  pad.addEventListener("pointerup", stop);
  pad.addEventListener("pointercancel", stop);
  clear.hidden = false;
  clear.addEventListener("click", wipe);
  form.addEventListener("submit", function () {
    field.value = drawn ? pad.toDataURL("image/png") : "";
  });
})();
