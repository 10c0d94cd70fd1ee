// Live lessons: the round's countdown (the server decides when time is up; this only shows it
// and asks for the new state then). The pages work without this file, by reloading.
(function () {
  "use strict";

  function tick() {
    document.querySelectorAll("time[data-deadline]").forEach(function (clock) {
      var left = Math.max(0, Math.ceil((Date.parse(clock.dataset.deadline) - Date.now()) / 1000));
      clock.textContent = left + " s";
      if (left === 0 && !clock.dataset.fired) {
        clock.dataset.fired = "1";
        var target = document.querySelector(clock.dataset.timeup);
        // A second later, so the server's clock has passed the deadline too.
        if (target && window.htmx) window.setTimeout(function () { window.htmx.trigger(target, "timeup"); }, 1000);
      }
    });
  }

  window.setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
})();
