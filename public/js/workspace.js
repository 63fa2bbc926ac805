// Co-op workspace: progressive enhancement only.
(function () {
  'use strict';
  // The packing slip's print button (the browser's own print works without it).
  document.querySelectorAll('[data-print]').forEach(function (el) {
    el.addEventListener('click', function () { window.print(); });
  });
})();
