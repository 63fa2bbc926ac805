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
  // A photo over the limit is refused here, before sending: the server would stop reading the
  // form at the photo, and what was typed after it would not come back.
  document.querySelectorAll('[data-photo-input]').forEach(function (input) {
    var preview = input.parentNode.querySelector('[data-photo-preview]');
    var tooBig = input.parentNode.querySelector('[data-photo-too-big]');
    var max = Number(input.getAttribute('data-max-bytes')) || 0;
    if (!preview || !window.FileReader) return;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (tooBig) tooBig.hidden = !(file && max && file.size > max);
      if (file && max && file.size > max) {
        input.value = '';
        file = null;
      }
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
