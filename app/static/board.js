// The dispatch board's drag and drop. A visit from the queue or a lane is dropped on a
// technician's lane; where it lands on the hour axis gives its start, snapped to half an hour.
// The drop posts the same form as the "Move" page; a refusal is shown in the status region beside
// the lanes (never over another card) and the card stays where it was. Moving a dispatched visit
// asks there whether it stays dispatched. Without script, the "Schedule" and "Move" links do all
// of this. Today's board opens scrolled to the present time when the day is wider than the screen.
(function () {
  "use strict";

  var SNAP_MINUTES = 30;
  var SLOT_MINUTES = 15;
  var board = document.querySelector("[data-board]");
  if (!board) {
    return;
  }
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var status = document.getElementById("board-status");
  var dragged = null; // { item, grabMinutes }
  var hint = document.createElement("div");
  hint.className = "drop-hint";
  hint.setAttribute("aria-hidden", "true");

  function draggable(target) {
    return target && target.closest ? target.closest("[data-place-url][draggable=true]") : null;
  }

  function dropTrack(target) {
    return target && target.closest ? target.closest("[data-drop]") : null;
  }

  function minutesPerPixel(track) {
    var slots = Number(track.dataset.slots);
    return (slots * SLOT_MINUTES) / track.getBoundingClientRect().width;
  }

  // The start, in minutes after local midnight, for a pointer at clientX over the track.
  function startAt(track, clientX) {
    var first = Number(track.dataset.axisStart);
    var last = first + Number(track.dataset.slots) * SLOT_MINUTES;
    var offset = (clientX - track.getBoundingClientRect().left) * minutesPerPixel(track);
    var minutes = first + offset - (dragged ? dragged.grabMinutes : 0);
    minutes = Math.floor(minutes / SNAP_MINUTES) * SNAP_MINUTES;
    return Math.max(first, Math.min(minutes, last - SNAP_MINUTES));
  }

  function clock(minutes) {
    var hours = Math.floor(minutes / 60);
    var mins = minutes % 60;
    return (hours < 10 ? "0" : "") + hours + ":" + (mins < 10 ? "0" : "") + mins;
  }

  function label(minutes) {
    var hours = Math.floor(minutes / 60);
    var mins = minutes % 60;
    var twelve = hours % 12 === 0 ? 12 : hours % 12;
    return twelve + ":" + (mins < 10 ? "0" : "") + mins + (hours < 12 ? " AM" : " PM");
  }

  function showHint(track, minutes) {
    if (hint.parentNode !== track) {
      track.appendChild(hint);
    }
    var first = Number(track.dataset.axisStart);
    hint.style.left = (minutes - first) / minutesPerPixel(track) + "px";
    hint.textContent = label(minutes);
    track.classList.add("drop-target");
  }

  function clearHint() {
    if (hint.parentNode) {
      hint.parentNode.classList.remove("drop-target");
      hint.parentNode.removeChild(hint);
    }
  }

  function say(message) {
    if (status) {
      status.textContent = message;
    }
  }

  function clearRefused() {
    var marked = board.querySelectorAll(".refused");
    for (var i = 0; i < marked.length; i++) {
      marked[i].classList.remove("refused");
    }
  }

  function showRefusal(item, message) {
    clearRefused();
    say("");
    var alert = document.createElement("p");
    alert.className = "board-alert";
    alert.setAttribute("role", "alert");
    alert.textContent = message;
    status.appendChild(alert);
    item.classList.add("refused");
  }

  // A dispatched visit was dropped: ask whether it stays dispatched, then drop it again.
  function askRedispatch(item, track, minutes, message) {
    clearRefused();
    say("");
    var question = document.createElement("p");
    question.textContent = message;
    status.appendChild(question);
    var choices = [
      ["keep", "Keep it dispatched"],
      ["reset", "Back to scheduled"],
      ["", "Cancel the move"],
    ];
    var actions = document.createElement("div");
    actions.className = "card-menu";
    choices.forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = choice[1];
      button.addEventListener("click", function () {
        say("");
        if (choice[0]) {
          place(item, track, minutes, choice[0]);
        }
      });
      actions.appendChild(button);
    });
    status.appendChild(actions);
    actions.querySelector("button").focus();
  }

  function place(item, track, minutes, redispatch) {
    var form = new FormData();
    if (redispatch) {
      form.append("redispatch", redispatch);
    }
    form.append("csrf_token", csrf);
    form.append("technician_id", track.dataset.technicianId);
    form.append("day", track.dataset.day);
    form.append("start", clock(minutes));
    form.append("window_hours", item.dataset.windowHours || "2");
    form.append("duration_minutes", item.dataset.duration);
    if (item.dataset.fromTechnician) {
      form.append("replacing", item.dataset.fromTechnician);
    }
    item.setAttribute("aria-busy", "true");
    say("Saving…");
    fetch(item.dataset.placeUrl, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().catch(function () {
          return { ok: false, message: "The visit could not be moved (" + response.status + "). Reload and try again." };
        });
      })
      .then(function (result) {
        if (result.ok) {
          say("Saved. Updating the board…");
          window.location.reload();
          return;
        }
        item.removeAttribute("aria-busy");
        if (result.choose === "redispatch") {
          askRedispatch(item, track, minutes, result.message);
          return;
        }
        showRefusal(item, result.message);
      })
      .catch(function () {
        item.removeAttribute("aria-busy");
        showRefusal(item, "The board could not reach the server. Nothing was changed.");
      });
  }

  // Today's board: bring the present time into view when the day is wider than the lanes.
  var now = document.getElementById("board-now");
  var scroller = board.querySelector(".lanes-scroll");
  if (now && scroller && scroller.scrollWidth > scroller.clientWidth) {
    var offset = now.getBoundingClientRect().left - scroller.getBoundingClientRect().left;
    scroller.scrollLeft += offset - scroller.clientWidth / 3;
  }

  board.addEventListener("dragstart", function (event) {
    var item = draggable(event.target);
    if (!item) {
      return;
    }
    var grab = 0;
    var lane = dropTrack(item);
    if (lane) {
      // Keep the card's start under the same point of the card that was grabbed.
      grab = (event.clientX - item.getBoundingClientRect().left) * minutesPerPixel(lane);
    }
    dragged = { item: item, grabMinutes: Math.max(0, grab || 0) };
    item.classList.add("dragging");
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.dataset.visitId);
    }
  });

  board.addEventListener("dragend", function () {
    if (dragged) {
      dragged.item.classList.remove("dragging");
    }
    dragged = null;
    clearHint();
  });

  board.addEventListener("dragover", function (event) {
    var track = dropTrack(event.target);
    if (!dragged || !track) {
      return;
    }
    event.preventDefault();
    if (event.dataTransfer) {
      event.dataTransfer.dropEffect = "move";
    }
    showHint(track, startAt(track, event.clientX));
  });

  board.addEventListener("dragleave", function (event) {
    var track = dropTrack(event.target);
    if (track && !track.contains(event.relatedTarget)) {
      clearHint();
    }
  });

  board.addEventListener("drop", function (event) {
    var track = dropTrack(event.target);
    if (!dragged || !track) {
      return;
    }
    event.preventDefault();
    var item = dragged.item;
    var minutes = startAt(track, event.clientX);
    item.classList.remove("dragging");
    dragged = null;
    clearHint();
    place(item, track, minutes);
  });
})();
