// Second Look: a drop zone for a file input, shared by the upload and clip-pack pages.
// Dropping files fills the same input a keyboard user fills with the picker, so the form
// sends them the same way; `onChosen` runs after a drop or a pick.
(function () {
  "use strict";

  window.secondLookDropZone = function (zone, input, onChosen) {
    if (zone) {
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) {
          event.preventDefault();
          zone.classList.add("notice");
        });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("notice"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          onChosen();
        }
      });
    }
    input.addEventListener("change", onChosen);
  };
})();
