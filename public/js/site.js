// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  // Forms marked data-confirm ask once more before a destructive or money action.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });
  // Auto-submit filter selects when the user changes them (the button stays for no-JS).
  document.querySelectorAll('form[data-autosubmit] select').forEach(function (el) {
    el.addEventListener('change', function () { el.form.submit(); });
  });
})();
