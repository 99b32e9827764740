// Tabs of the case file: one section at a time; the address's #fragment picks the tab (links to
// #person-12 open the members). Without JavaScript every section shows, one under another.
document.addEventListener("DOMContentLoaded", function () {
  var nav = document.querySelector("[data-tabs]");
  if (!nav) { return; }
  var links = Array.prototype.slice.call(nav.querySelectorAll("a[href^='#']"));
  var sections = links.map(function (a) { return document.getElementById(a.getAttribute("href").slice(1)); });
  function show(id) {
    var index = !id ? 0 : sections.findIndex(function (s) { return s && (s.id === id || s.querySelector("#" + CSS.escape(id))); });
    if (index < 0) { index = 0; }
    sections.forEach(function (s, i) { if (s) { s.hidden = i !== index; } });
    links.forEach(function (a, i) { a.classList.toggle("active", i === index); a.setAttribute("aria-selected", i === index); });
  }
  links.forEach(function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      history.replaceState(null, "", a.getAttribute("href"));
      show(a.getAttribute("href").slice(1));
    });
  });
  show(location.hash ? decodeURIComponent(location.hash.slice(1)) : "");
});
