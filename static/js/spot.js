// Spot rounds ("Where is the giveaway?"): marking the picture by click, tap or keyboard, and
// the moment of a video from its paused position. Without this file the round still works:
// the learner picks a square of the 8 x 8 grid and types the moment.
(function () {
  "use strict";

  var GRID = 8;
  var SCALE = 1000;

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_match, name) { return values[name]; });
  }

  function secondsText(seconds) {
    var lang = document.documentElement.lang || undefined;
    return seconds.toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  }

  // The picture's own box inside the media element (object-fit: contain may letterbox it),
  // relative to the marking target.
  function pictureBox(target, media) {
    var outer = target.getBoundingClientRect();
    var box = media.getBoundingClientRect();
    var naturalWidth = media.videoWidth || media.naturalWidth || box.width;
    var naturalHeight = media.videoHeight || media.naturalHeight || box.height;
    var scale = Math.min(box.width / naturalWidth, box.height / naturalHeight) || 1;
    var width = naturalWidth * scale;
    var height = naturalHeight * scale;
    return {
      left: box.left - outer.left + (box.width - width) / 2,
      top: box.top - outer.top + (box.height - height) / 2,
      width: width,
      height: height
    };
  }

  function init(target) {
    if (target.dataset.spotReady) return;
    target.dataset.spotReady = "1";
    var form = target.closest("form");
    var media = target.querySelector("video, img");
    var layer = target.querySelector("[data-spot-layer]");
    var crosshair = target.querySelector("[data-spot-crosshair]");
    var markDot = target.querySelector("[data-spot-mark]");
    var isVideo = target.dataset.kind === "video";
    var status = form.querySelector("[data-spot-status]");
    var inputX = form.querySelector("[data-spot-x]");
    var inputY = form.querySelector("[data-spot-y]");
    var seconds = form.querySelector("[data-spot-seconds]");
    var grid = form.querySelector("[data-spot-grid]");
    var slider = form.querySelector("[data-spot-slider]");
    var sliderOutput = form.querySelector("[data-spot-slider-output]");
    var playButton = form.querySelector("[data-spot-play]");
    var cell = { column: 3, row: 3 };
    var mark = null;

    // The grid of radio buttons is the page's answer without JavaScript; here the picture
    // itself is marked, so the grid steps aside (disabled: it must not be submitted).
    if (grid) {
      grid.hidden = true;
      grid.querySelectorAll("input").forEach(function (input) { input.disabled = true; });
    }
    var when = form.querySelector("[data-spot-when]");
    if (when) when.hidden = true;
    layer.hidden = false;
    status.hidden = false;
    form.querySelector("[data-spot-keys]").hidden = false;

    function place() {
      var box = pictureBox(target, media);
      layer.style.left = box.left + "px";
      layer.style.top = box.top + "px";
      layer.style.width = box.width + "px";
      layer.style.height = box.height + "px";
    }

    function put(element, x, y) {
      element.style.left = x / 10 + "%";
      element.style.top = y / 10 + "%";
      element.hidden = false;
    }

    function now() {
      return isVideo ? media.currentTime : null;
    }

    function say() {
      if (!mark) {
        status.textContent = target.dataset.labelNone;
        return;
      }
      var values = {
        row: Math.min(GRID, Math.floor(mark.y / (SCALE / GRID)) + 1),
        column: Math.min(GRID, Math.floor(mark.x / (SCALE / GRID)) + 1)
      };
      if (mark.t === null) {
        status.textContent = format(target.dataset.labelMark, values);
      } else {
        values.time = secondsText(mark.t);
        status.textContent = format(target.dataset.labelMarkAt, values);
      }
    }

    function setMark(x, y, t) {
      mark = { x: Math.max(0, Math.min(SCALE, Math.round(x))), y: Math.max(0, Math.min(SCALE, Math.round(y))), t: t };
      inputX.value = mark.x;
      inputY.value = mark.y;
      if (seconds) seconds.value = t === null ? "" : t.toFixed(3);
      put(markDot, mark.x, mark.y);
      say();
    }

    function showCell() {
      var step = SCALE / GRID;
      put(crosshair, cell.column * step + step / 2, cell.row * step + step / 2);
    }

    layer.addEventListener("click", function (event) {
      var box = layer.getBoundingClientRect();
      if (!box.width || !box.height) return;
      if (isVideo) media.pause();
      setMark(
        (event.clientX - box.left) / box.width * SCALE,
        (event.clientY - box.top) / box.height * SCALE,
        now()
      );
      // Keyboard users who then use the arrows start from the square they clicked; the
      // keyboard's crosshair (shown when the click focused the layer) steps aside until then.
      cell.column = Math.min(GRID - 1, Math.floor(mark.x / (SCALE / GRID)));
      cell.row = Math.min(GRID - 1, Math.floor(mark.y / (SCALE / GRID)));
      crosshair.hidden = true;
    });

    layer.addEventListener("focus", showCell);
    layer.addEventListener("blur", function () { crosshair.hidden = true; });

    layer.addEventListener("keydown", function (event) {
      var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      var move = moves[event.key];
      if (move) {
        event.preventDefault();
        cell.column = Math.max(0, Math.min(GRID - 1, cell.column + move[0]));
        cell.row = Math.max(0, Math.min(GRID - 1, cell.row + move[1]));
        showCell();
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (isVideo) media.pause();
        var step = SCALE / GRID;
        setMark(cell.column * step + step / 2, cell.row * step + step / 2, now());
      } else if (event.key === " " && isVideo) {
        event.preventDefault();
        if (media.paused) media.play(); else media.pause();
      }
    });

    if (isVideo) {
      media.removeAttribute("controls");
      form.querySelector("[data-spot-time]").hidden = false;
      var showTime = function () {
        if (isFinite(media.duration)) slider.max = media.duration;
        slider.value = media.currentTime;
        sliderOutput.textContent = secondsText(media.currentTime) + " s";
        slider.setAttribute("aria-valuetext", sliderOutput.textContent);
      };
      media.addEventListener("timeupdate", showTime);
      media.addEventListener("seeked", showTime);
      media.addEventListener("loadedmetadata", showTime);
      slider.addEventListener("input", function () {
        media.pause();
        media.currentTime = parseFloat(slider.value);
        showTime();
      });
      playButton.addEventListener("click", function () {
        if (media.paused) media.play(); else media.pause();
      });
      media.addEventListener("play", function () { playButton.textContent = target.dataset.labelPause; });
      media.addEventListener("pause", function () { playButton.textContent = target.dataset.labelPlay; });
      form.querySelector("[data-spot-moment]").addEventListener("click", function () {
        media.pause();
        if (mark) {
          setMark(mark.x, mark.y, media.currentTime);
        } else {
          var step = SCALE / GRID;
          setMark(cell.column * step + step / 2, cell.row * step + step / 2, media.currentTime);
        }
      });
    }

    // A mark that came back with a refused answer is shown again.
    if (inputX.value !== "" && inputY.value !== "") {
      var t = seconds && seconds.value !== "" ? parseFloat(seconds.value) : null;
      setMark(parseFloat(inputX.value), parseFloat(inputY.value), t);
    }

    media.addEventListener(isVideo ? "loadedmetadata" : "load", place);
    window.addEventListener("resize", place);
    place();
  }

  // Feedback: a video opens at the moment the learner marked, with the boxes of that moment.
  function openAtMark(video) {
    if (video.dataset.spotOpened) return;
    video.dataset.spotOpened = "1";
    var seek = function () { video.currentTime = parseFloat(video.dataset.startAt); };
    if (video.readyState >= 1) seek(); else video.addEventListener("loadedmetadata", seek, { once: true });
  }

  function scan(root) {
    root.querySelectorAll("[data-spot]").forEach(init);
    root.querySelectorAll("video[data-start-at]").forEach(openAtMark);
  }

  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target) scan(event.detail.target);
    // An outerHTML swap (the live device's panel) raises the event on the new element.
    if (event.target && event.target.querySelectorAll) scan(event.target);
  });
})();
