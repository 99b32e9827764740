// The language switcher in the admin header submits on change (no inline handler: CSP).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
// A button with data-confirm asks before it submits its form (no inline handler: CSP).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });
});
