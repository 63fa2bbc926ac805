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
  // The header's account menu (a <details>, so it opens without script) closes on Escape and on a click elsewhere, as a menu does.
  var menu = document.querySelector('.site-header details.menu');
  if (menu) {
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && menu.open) { menu.open = false; menu.querySelector('summary').focus(); }
    });
    document.addEventListener('click', function (e) {
      if (menu.open && !menu.contains(e.target)) menu.open = false;
    });
  }
})();
