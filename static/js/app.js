// Second Look: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function showConfidence(input) {
    var output = input.form && input.form.querySelector("[data-confidence-output]");
    if (output) output.textContent = input.value + " %";
    input.setAttribute("aria-valuetext", input.value + " %");
  }

  function boxesFor(mediaId) {
    var media = document.getElementById(mediaId);
    var frame = media && media.closest("[data-media-frame]");
    return frame ? frame.querySelectorAll(".artifact-box") : [];
  }

  // Outline the artifacts whose time range contains the video's current time.
  function updateActiveBoxes(video) {
    var t = video.currentTime;
    boxesFor(video.id).forEach(function (box) {
      var start = parseFloat(box.dataset.start), end = parseFloat(box.dataset.end);
      var pinned = box.classList.contains("pinned");
      box.classList.toggle("active", pinned || (t >= start - 0.04 && t <= end + 0.04));
    });
  }

  function pin(artifactId) {
    document.querySelectorAll(".artifact-box").forEach(function (box) {
      box.classList.toggle("pinned", box.dataset.artifact === artifactId);
      box.classList.toggle("active", box.dataset.artifact === artifactId);
    });
    document.querySelectorAll(".artifact").forEach(function (item) {
      item.classList.toggle("current", item.id === artifactId);
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-confidence]")) showConfidence(event.target);
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // Destructive forms ask first; without JavaScript they simply submit.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-seek], [data-highlight]");
    if (!button) return;
    pin(button.dataset.artifact);
    if (button.hasAttribute("data-seek")) {
      var video = document.getElementById(button.dataset.media);
      if (!video) return;
      video.pause();
      video.currentTime = parseFloat(button.dataset.start);
      var frame = video.closest("[data-media-frame]");
      if (frame && frame.scrollIntoView) frame.scrollIntoView({ block: "nearest" });
    }
  });

  document.addEventListener("timeupdate", function (event) {
    if (event.target.tagName === "VIDEO") updateActiveBoxes(event.target);
  }, true);
  document.addEventListener("seeked", function (event) {
    if (event.target.tagName === "VIDEO") updateActiveBoxes(event.target);
  }, true);
  document.addEventListener("play", function (event) {
    // Playing again releases a pinned outline so the boxes follow the time.
    if (event.target.tagName === "VIDEO") {
      boxesFor(event.target.id).forEach(function (box) { box.classList.remove("pinned"); });
    }
  }, true);

  function focusNew(root) {
    var target = root.querySelector("[data-autofocus]");
    if (target) target.focus();
    root.querySelectorAll("[data-confidence]").forEach(showConfidence);
  }

  // A magnified replay is small: the browser's controls would cover the very region it
  // magnifies, so they give way to a button below it (without JavaScript they stay).
  function setUpReplays(root) {
    root.querySelectorAll("figure.replay[data-label-play]").forEach(function (figure) {
      var video = figure.querySelector("video");
      if (!video || figure.dataset.replayReady) return;
      figure.dataset.replayReady = "1";
      video.removeAttribute("controls");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button secondary replay-toggle";
      var label = function () {
        button.textContent = video.paused ? figure.dataset.labelPlay : figure.dataset.labelPause;
      };
      var toggle = function () { if (video.paused) video.play(); else video.pause(); };
      label();
      button.addEventListener("click", toggle);
      video.addEventListener("click", toggle);
      video.addEventListener("play", label);
      video.addEventListener("pause", label);
      figure.insertBefore(button, figure.querySelector("figcaption"));
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "stage") focusNew(event.detail.target);
    if (event.detail.target) setUpReplays(event.detail.target);
  });

  function showError() {
    var banner = document.getElementById("error-banner");
    var text = document.getElementById("network-error-text");
    if (banner && text) {
      banner.textContent = text.content.textContent;
      banner.hidden = false;
    }
  }
  document.addEventListener("htmx:responseError", showError);
  document.addEventListener("htmx:sendError", showError);
  document.addEventListener("htmx:beforeRequest", function () {
    var banner = document.getElementById("error-banner");
    if (banner) banner.hidden = true;
  });

  // On a phone the main menu folds behind a "Menu" button (a teacher's dozen links would
  // fill a third of the screen); without JavaScript it stays open.
  function setUpMenu() {
    var header = document.querySelector(".site-header");
    var button = header && header.querySelector("[data-menu-toggle]");
    if (!button) return;
    button.hidden = false;
    header.classList.add("has-menu");
    function setOpen(open) {
      button.setAttribute("aria-expanded", String(open));
      header.classList.toggle("menu-open", open);
    }
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    setUpReplays(document);
    // On a round or feedback page, start where the action is (the skip link still leads
    // to main); elsewhere leave focus where the browser puts it.
    var stage = document.getElementById("stage");
    if (stage) focusNew(stage);
    else document.querySelectorAll("[data-confidence]").forEach(showConfidence);
  });
})();
