// Second Look: importing a clip pack. Sends the chosen (or dropped) .zip with
// XMLHttpRequest so the upload shows a progress bar, then opens the import's own page, where
// the worker's progress is shown. Without this file the form posts the file and lands on the
// same page.
(function () {
  "use strict";

  var form = document.querySelector("[data-pack-form]");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = form.querySelector("input[type=file]");
  var zone = form.querySelector("[data-drop-zone]");
  var summary = form.querySelector("[data-drop-summary]");
  var errors = form.querySelector("[data-pack-errors]");
  var sending = form.querySelector("[data-pack-sending]");
  var bar = sending && sending.querySelector("progress");
  var state = sending && sending.querySelector("[data-pack-state]");
  var button = form.querySelector("button[type=submit]");
  var maxBytes = parseInt(form.dataset.maxBytes, 10) || Infinity;
  var texts = form.dataset;
  if (!input || !errors || !sending || !bar || !state || !button) return;

  function csrfToken() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function showChosen() {
    if (summary) summary.textContent = input.files.length ? input.files[0].name : "";
  }

  function showErrors(messages) {
    errors.textContent = "";
    messages.forEach(function (message) {
      var line = document.createElement("p");
      line.textContent = message;
      errors.appendChild(line);
    });
    if (messages.length) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  function finish(messages) {
    showErrors(messages);
    sending.hidden = true;
    button.disabled = false;
    input.focus();
  }

  window.secondLookDropZone(zone, input, function () {
    showChosen();
    showErrors([]);
  });

  function errorsFrom(xhr) {
    try {
      var data = JSON.parse(xhr.responseText);
      if (data.errors && data.errors.length) return data.errors;
    } catch (ignored) { /* not JSON: a 403 or 500 page */ }
    return [texts.textFailed];
  }

  form.addEventListener("submit", function (event) {
    var file = input.files[0];
    if (!file) return; // the browser's own "required" message covers this
    event.preventDefault();
    if (file.size > maxBytes) {
      finish([texts.textTooBig]);
      return;
    }
    showErrors([]);
    var data = new FormData(form);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) bar.value = Math.round((progress.loaded / progress.total) * 100);
    });
    xhr.addEventListener("load", function () {
      if (xhr.status === 201) {
        bar.value = 100;
        state.textContent = texts.textSent;
        var answer = JSON.parse(xhr.responseText);
        window.location.assign(answer.job_url);
      } else {
        finish(errorsFrom(xhr));
      }
    });
    xhr.addEventListener("error", function () { finish([texts.textNetwork]); });
    xhr.addEventListener("abort", function () { finish([texts.textNetwork]); });
    bar.value = 0;
    state.textContent = texts.textSending;
    sending.hidden = false;
    button.disabled = true;
    xhr.send(data);
  });
})();
