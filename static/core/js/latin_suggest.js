// The Latin name fields show, as their placeholder, the spelling the system will store if they are
// left empty (core.translit.latin_spelling): updated while the Cyrillic name is typed.
(function () {
  "use strict";
  function spell(text, table) {
    var out = "";
    var lower = text.trim().toLowerCase();
    for (var i = 0; i < lower.length; i++) {
      var ch = lower[i];
      out += Object.prototype.hasOwnProperty.call(table, ch) ? table[ch] : ch;
    }
    if (!/^[a-z][a-z '\-]*$/.test(out)) return "";
    return out.replace(/[a-z]+/g, function (w) { return w.charAt(0).toUpperCase() + w.slice(1); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-translit-source]").forEach(function (latin) {
      var source = document.getElementById("id_" + latin.dataset.translitSource);
      var table = JSON.parse(latin.dataset.translit);
      if (!source) return;
      source.addEventListener("input", function () { latin.placeholder = spell(source.value, table); });
    });
  });
})();
