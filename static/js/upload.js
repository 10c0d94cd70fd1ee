// Second Look: the upload page. Sends each chosen (or dropped) file in its own request so
// every file gets an upload progress bar; the list below then shows the processing stage
// (htmx polls it). Without this file the form posts all files at once and still works.
(function () {
  "use strict";

  var form = document.querySelector("[data-upload-form]");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = form.querySelector("input[type=file]");
  var zone = form.querySelector("[data-drop-zone]");
  var summary = form.querySelector("[data-drop-summary]");
  var button = form.querySelector("button[type=submit]");
  var section = document.querySelector("[data-upload-progress]");
  var list = section && section.querySelector("[data-upload-list]");
  var template = document.getElementById("upload-row-template");
  var maxBytes = parseInt(form.dataset.maxBytes, 10) || Infinity;
  var texts = form.dataset;
  if (!input || !list || !template) return;

  function csrfToken() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function showChosen() {
    if (!summary) return;
    var names = Array.prototype.map.call(input.files, function (file) { return file.name; });
    summary.textContent = names.length ? names.length + " " + texts.textChosen + ": " + names.join(", ") : "";
  }

  window.secondLookDropZone(zone, input, showChosen);

  function addRow(file) {
    var row = template.content.firstElementChild.cloneNode(true);
    row.querySelector("[data-name]").textContent = file.name;
    var bar = row.querySelector("progress");
    bar.setAttribute("aria-label", texts.textSending + " " + file.name);
    var state = row.querySelector("[data-state]");
    state.textContent = texts.textWaiting;
    list.appendChild(row);
    return { row: row, bar: bar, state: state };
  }

  function fail(view, message) {
    view.row.classList.add("upload-failed");
    view.state.classList.add("field-error");
    view.state.textContent = message;
  }

  function errorFrom(xhr) {
    try {
      var data = JSON.parse(xhr.responseText);
      if (data.errors && data.errors.length) return data.errors[0];
    } catch (ignored) { /* not JSON: a 403 or 500 page */ }
    return texts.textFailed;
  }

  function send(file, shared, view) {
    return new Promise(function (resolve) {
      var data = new FormData();
      shared.forEach(function (value, key) { data.append(key, value); });
      data.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) view.bar.value = Math.round((event.loaded / event.total) * 100);
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 201) {
          view.bar.value = 100;
          view.state.textContent = texts.textSent;
          // The list below refreshes itself (htmx: hx-trigger "uploaded from:body").
          document.body.dispatchEvent(new CustomEvent("uploaded", { bubbles: true }));
        } else {
          fail(view, errorFrom(xhr));
        }
        resolve();
      });
      xhr.addEventListener("error", function () { fail(view, texts.textNetwork); resolve(); });
      xhr.addEventListener("abort", function () { fail(view, texts.textNetwork); resolve(); });
      view.state.textContent = texts.textSending;
      xhr.send(data);
    });
  }

  form.addEventListener("submit", function (event) {
    var files = Array.prototype.slice.call(input.files);
    if (!files.length) return; // the browser's own "required" message covers this
    event.preventDefault();
    var shared = new FormData(form);
    shared.delete("file");
    section.hidden = false;
    button.disabled = true;
    var views = files.map(addRow);
    // One file at a time: each gets the whole connection, and the first is ready soonest.
    files.reduce(function (previous, file, index) {
      return previous.then(function () {
        if (file.size > maxBytes) {
          fail(views[index], texts.textTooBig);
          return undefined;
        }
        return send(file, shared, views[index]);
      });
    }, Promise.resolve()).then(function () {
      button.disabled = false;
      input.value = "";
      showChosen();
    });
  });
})();
