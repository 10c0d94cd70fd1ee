// The realistic feed (templates/quiz/feed/play.html): each clip plays muted for its seconds,
// then the feed moves on as "not flagged". F flags the clip, N or the down arrow moves on
// early, P pauses the timer (for anyone who needs longer: WCAG 2.2.1), a swipe up moves on.
// Without JavaScript the two buttons post the answer and the next clip loads as a page.
(function () {
  "use strict";

  var current = null;

  function stop() {
    if (current && current.timer) window.clearInterval(current.timer);
    current = null;
  }

  function answer(button) {
    if (!current || current.done || !button || button.disabled) return;
    current.done = true;
    if (current.timer) window.clearInterval(current.timer);
    // A real click, so htmx sends the button's name and value with the form.
    button.click();
  }

  function setPaused(paused) {
    if (!current) return;
    current.paused = paused;
    var pause = current.section.querySelector("[data-feed-pause]");
    if (pause) pause.setAttribute("aria-pressed", paused ? "true" : "false");
    var video = current.section.querySelector("video");
    if (video) {
      if (paused) video.pause();
      else video.play().catch(function () {});
    }
  }

  function start(root) {
    stop();
    var section = root.querySelector("[data-feed-clip]");
    if (!section) return;
    var seconds = parseFloat(section.getAttribute("data-seconds")) || 5;
    var bar = section.querySelector("[data-feed-timer]");
    var pause = section.querySelector("[data-feed-pause]");
    if (bar) bar.hidden = false;
    if (pause) pause.hidden = false;
    var state = {
      section: section,
      left: seconds * 1000,
      total: seconds * 1000,
      last: Date.now(),
      paused: false,
      done: false,
      timer: null,
    };
    current = state;
    var video = section.querySelector("video");
    if (video) {
      video.muted = true;
      video.play().catch(function () {});
    }
    state.timer = window.setInterval(function () {
      var now = Date.now();
      if (!state.paused) state.left -= now - state.last;
      state.last = now;
      if (bar) bar.value = Math.max(0, Math.round((state.left / state.total) * 1000));
      if (state.left <= 0) answer(section.querySelector("[data-feed-next]"));
    }, 100);
    var heading = section.querySelector("[data-feed-focus]");
    if (heading && root !== document) heading.focus();
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-feed-pause]") && current) setPaused(!current.paused);
  });

  document.addEventListener("keydown", function (event) {
    if (!current || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var key = event.key;
    if (key === "f" || key === "F") {
      event.preventDefault();
      answer(current.section.querySelector("[data-feed-flag]"));
    } else if (key === "n" || key === "N" || key === "ArrowDown") {
      event.preventDefault();
      answer(current.section.querySelector("[data-feed-next]"));
    } else if (key === "p" || key === "P") {
      event.preventDefault();
      setPaused(!current.paused);
    }
  });

  // Buttons pressed by hand end the clip too (so the timer cannot answer it twice).
  document.addEventListener("submit", function (event) {
    if (current && current.section.contains(event.target)) {
      current.done = true;
      if (current.timer) window.clearInterval(current.timer);
    }
  });

  var touchY = null;
  document.addEventListener("touchstart", function (event) {
    if (current && current.section.contains(event.target) && event.touches.length === 1) {
      touchY = event.touches[0].clientY;
    }
  }, { passive: true });
  document.addEventListener("touchend", function (event) {
    if (touchY === null || !current) return;
    var dy = event.changedTouches[0].clientY - touchY;
    touchY = null;
    if (dy < -60) answer(current.section.querySelector("[data-feed-next]"));
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "feed-stage") start(event.detail.target);
  });

  // A request that failed leaves the clip on screen: let the student answer it again.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful && current) current.done = false;
  });

  function boot() {
    var stage = document.getElementById("feed-stage");
    if (!stage) return;
    start(stage);
    var heading = stage.querySelector("[data-feed-focus]");
    if (heading) heading.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
