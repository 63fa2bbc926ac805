// Co-op workspace: progressive enhancement only.
(function () {
  'use strict';
  // The packing slip's print button (the browser's own print works without it).
  document.querySelectorAll('[data-print]').forEach(function (el) {
    el.addEventListener('click', function () {
      window.print();
    });
  });

  // The goods form: show the chosen photo before it is sent (a data: URL, which the CSP allows).
  document.querySelectorAll('[data-photo-input]').forEach(function (input) {
    var preview = input.parentNode.querySelector('[data-photo-preview]');
    if (!preview || !window.FileReader) return;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file || !/^image\/(jpeg|png|webp)$/.test(file.type)) {
        preview.hidden = true;
        preview.removeAttribute('src');
        return;
      }
      var reader = new FileReader();
      reader.onload = function () {
        preview.src = String(reader.result);
        preview.hidden = false;
      };
      reader.readAsDataURL(file);
    });
  });
})();
