"""One transliteration scheme for the whole system, used to compare names across scripts.

`name_key("Жанар Әбілқызы")` and `name_key("Zhanar Abilkyzy")` give the same key. Steps:
1. Cyrillic (Russian + Kazakh letters) to Latin by the table below (close to the 2021 Kazakh
   Latin alphabet, with digraphs for Russian letters);
2. lower-case, accents stripped (NFKD), only letters kept;
3. spelling variants folded: zh/dzh/dj/j, kh/h/x, q/k, y/i, w/v, ts/c, doubled letters single,
   a "y" glide after a vowel or at the start of a word before e (-ayev/-aev, Yerlan/Erlan).
The key is a comparison device, not a spelling to show anyone.
"""

from __future__ import annotations

import re
import unicodedata

CYRILLIC_TO_LATIN = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n",
    "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u",
    "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "",
    "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
FOLDS = [
    ("dzh", "j"),
    ("zh", "j"),
    ("dj", "j"),
    ("kh", "h"),
    ("x", "h"),
    ("q", "k"),
    ("ts", "c"),
    ("y", "i"),
    ("w", "v"),
]
_DOUBLE = re.compile(r"(.)\1+")
# After the folds a passport's "ye" is "ie": drop the glide after a vowel (Zhumabayev ~ Жумабаев)
# and at the start of a word (Yerlan ~ Ерлан).
_GLIDE = re.compile(r"(?:(?<=[aeiou])|^)i(?=e)")


def to_latin(text: str) -> str:
    return "".join(CYRILLIC_TO_LATIN.get(ch, ch) for ch in text.lower())


_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z '\-]*$")


def latin_spelling(text: str | None) -> str:
    """A name in Latin letters as a suggestion for a passport-style field ("Әбілқызы Жанар" ->
    "Abilkyzy Zhanar"); empty when the name has letters the table does not cover (Chinese, Arabic)."""
    spelled = to_latin((text or "").strip())
    if not spelled or not _LATIN_NAME.match(spelled):
        return ""
    return re.sub(r"[a-z]+", lambda m: m.group(0).capitalize(), spelled)


def name_key(*parts: str | None) -> str:
    """A script-independent key for the given name parts, joined by single spaces."""
    words = []
    for part in parts:
        if not part:
            continue
        latin = unicodedata.normalize("NFKD", to_latin(part))
        for word in re.split(r"[\s\-']+", latin):
            letters = "".join(ch for ch in word if "a" <= ch <= "z")
            for old, new in FOLDS:
                letters = letters.replace(old, new)
            letters = _GLIDE.sub("", letters)
            letters = _DOUBLE.sub(r"\1", letters)
            if letters:
                words.append(letters)
    return " ".join(words)
