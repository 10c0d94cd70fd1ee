// Second Look: the annotation editor on a clip's library page.
//
// Drag over the frame (mouse, pen or finger) and the box fills the numeric fields; type in the
// fields and the box follows, so keyboard users do the same by typing. "Mark start"/"Mark end"
// copy the player's position into the time fields. The player gets its own controls (play,
// frame steps, a position slider) because the drawing surface lies over the native ones.
// Without this file the form still works: the fields are typed and the server checks them.
(function () {
  "use strict";

  var FRAME_S = 1 / 25; // every served clip is 25 fps (quiz.media.encode)
  var MIN_SIZE = 0.5; // percent: a smaller drag is a click, not a box

  function form() { return document.querySelector("[data-annotate-form]"); }
  function frame() { return document.querySelector("[data-annotate-frame]"); }
  function drawBox() { return document.querySelector("[data-draw-box]"); }
  function video() {
    var media = document.getElementById("library-media");
    return media && media.tagName === "VIDEO" ? media : null;
  }
  function field(selector) {
    var f = form();
    return f ? f.querySelector(selector) : null;
  }
  function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }
  // Work in whole tenths so that x + w never exceeds 100 by a rounding error.
  function tenths(value) { return Math.round(value * 10); }

  function announce(text) {
    var region = document.getElementById("announce");
    if (region && text) region.textContent = text;
  }

  function showRect(x, y, w, h) {
    var rect = drawBox();
    if (!rect) return;
    rect.setAttribute("x", x);
    rect.setAttribute("y", y);
    rect.setAttribute("width", w);
    rect.setAttribute("height", h);
    rect.setAttribute("visibility", "visible");
  }

  // The drawn box follows the numeric fields; incomplete values hide it.
  function syncBoxFromFields() {
    var rect = drawBox();
    if (!rect) return;
    var values = ["x", "y", "w", "h"].map(function (name) {
      var input = field('[data-box="' + name + '"]');
      return input ? parseFloat(input.value) : NaN;
    });
    if (values.some(isNaN) || values[2] <= 0 || values[3] <= 0) {
      rect.setAttribute("visibility", "hidden");
      return;
    }
    showRect(values[0], values[1], values[2], values[3]);
  }

  function fillFields(left, top, right, bottom) {
    var x = tenths(left), y = tenths(top);
    var values = { x: x, y: y, w: tenths(right) - x, h: tenths(bottom) - y };
    Object.keys(values).forEach(function (name) {
      var input = field('[data-box="' + name + '"]');
      if (input) input.value = (values[name] / 10).toFixed(1);
    });
    syncBoxFromFields();
  }

  // --- Drawing with a pointer --------------------------------------------------------------

  var drag = null;

  function pointIn(layer, event) {
    var bounds = layer.getBoundingClientRect();
    return {
      x: clamp(((event.clientX - bounds.left) / bounds.width) * 100, 0, 100),
      y: clamp(((event.clientY - bounds.top) / bounds.height) * 100, 0, 100),
    };
  }

  function dragRect(event) {
    var p = pointIn(drag.layer, event);
    return {
      left: Math.min(drag.x, p.x), top: Math.min(drag.y, p.y),
      right: Math.max(drag.x, p.x), bottom: Math.max(drag.y, p.y),
    };
  }

  document.addEventListener("pointerdown", function (event) {
    var layer = event.target.closest && event.target.closest("[data-draw-layer]");
    if (!layer || event.button !== 0) return;
    event.preventDefault();
    var v = video();
    if (v && !v.paused) v.pause(); // a box is drawn on a still frame
    var p = pointIn(layer, event);
    drag = { layer: layer, x: p.x, y: p.y, pointer: event.pointerId };
    layer.setPointerCapture(event.pointerId);
    showRect(p.x, p.y, 0, 0);
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    var r = dragRect(event);
    showRect(r.left, r.top, r.right - r.left, r.bottom - r.top);
  });

  function endDrag(event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    var r = dragRect(event);
    drag = null;
    if (event.type === "pointerup" && r.right - r.left >= MIN_SIZE && r.bottom - r.top >= MIN_SIZE) {
      fillFields(r.left, r.top, r.right, r.bottom);
      var f = form();
      announce(f && f.getAttribute("data-drawn-text"));
    } else {
      syncBoxFromFields(); // a click or a cancelled drag keeps the box there was
    }
  }
  document.addEventListener("pointerup", endDrag);
  document.addEventListener("pointercancel", endDrag);

  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-annotate-form] [data-box]")) syncBoxFromFields();
  });

  // --- Time: marking and the player's own controls ------------------------------------------

  document.addEventListener("click", function (event) {
    var mark = event.target.closest("[data-mark]");
    var v = video();
    if (mark && v) {
      var input = field('[data-time="' + mark.getAttribute("data-mark") + '"]');
      if (!input) return;
      var t = Math.max(0, v.currentTime);
      var max = parseFloat(input.max);
      // Never past the stored duration, which the server checks against.
      if (max > 0) t = Math.min(t, Math.floor(max * 10) / 10);
      input.value = (tenths(t) / 10).toFixed(1);
      announce((mark.getAttribute("data-marked-text") || "").replace("%s", input.value));
      return;
    }
    var play = event.target.closest("[data-play]");
    if (play && v) {
      if (v.paused) v.play(); else v.pause();
      return;
    }
    var step = event.target.closest("[data-step]");
    if (step && v) {
      v.pause();
      var end = isFinite(v.duration) ? v.duration : Infinity;
      v.currentTime = clamp(v.currentTime + parseInt(step.getAttribute("data-step"), 10) * FRAME_S, 0, end);
    }
  });

  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-scrub]")) return;
    var v = video();
    if (v) {
      v.pause();
      v.currentTime = parseFloat(event.target.value);
    }
  });

  function showTime() {
    var v = video();
    var slider = document.querySelector("[data-scrub]");
    var output = document.querySelector("[data-scrub-time]");
    if (!v || !slider) return;
    if (document.activeElement !== slider) slider.value = v.currentTime;
    slider.setAttribute("aria-valuetext", v.currentTime.toFixed(2) + " s");
    if (output) output.textContent = v.currentTime.toFixed(2) + " s";
  }

  function showPlaying() {
    var v = video();
    var button = document.querySelector("[data-play]");
    if (!v || !button) return;
    button.textContent = button.getAttribute(v.paused ? "data-label-play" : "data-label-pause");
  }

  ["timeupdate", "seeked"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (event.target === video()) showTime();
    }, true);
  });
  ["play", "pause"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (event.target === video()) showPlaying();
    }, true);
  });
  document.addEventListener("loadedmetadata", function (event) {
    var v = video();
    var slider = document.querySelector("[data-scrub]");
    if (event.target === v && slider && isFinite(v.duration)) slider.max = v.duration;
  }, true);

  // --- Setting up, and again after htmx swaps the editor ------------------------------------

  function refresh() {
    var f = form();
    if (!f) return;
    f.querySelectorAll("[data-mark]").forEach(function (button) { button.hidden = !video(); });
    syncBoxFromFields();
    var target = document.querySelector("[data-focus-after-swap]");
    if (target) {
      target.removeAttribute("data-focus-after-swap");
      target.focus();
    }
  }

  function setUp() {
    var f = frame();
    if (!f) return;
    f.classList.add("annotating");
    var v = video();
    var scrubber = document.querySelector("[data-scrubber]");
    if (v && scrubber) {
      // The drawing surface covers the native controls: ours replace them.
      v.removeAttribute("controls");
      scrubber.hidden = false;
      showTime();
    }
    refresh();
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    refresh();
    // Editing an artifact: show its first frame, with its box.
    var f = form();
    var v = video();
    var start = f && f.hasAttribute("data-editing") ? field('[data-time="start"]') : null;
    if (event.detail.target && event.detail.target.id === "editor" && v && start && start.value) {
      v.pause();
      v.currentTime = parseFloat(start.value);
    }
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
