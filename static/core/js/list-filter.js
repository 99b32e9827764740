// A long list filter is a <select> (core/admin_filters.py): choosing an option opens its query
// string, like clicking the link it replaces (no inline handler: CSP).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-navigate-on-change]").forEach(function (select) {
    if (select.dataset.bound) return;
    select.dataset.bound = "1";
    select.addEventListener("change", function () { window.location.search = select.value; });
  });
});
