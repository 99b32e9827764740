"""One person matcher for the admin search box, the API search, duplicate checks and the sweep.

A search term is split into parts and each part is matched the way a caseworker means it:

* a date ``dd.mm.yyyy`` -> the date of birth;
* ASCII digits -> the IIN, exactly (12 digits) or by prefix (``800315`` finds every IIN that
  starts so), through a ``varchar_pattern_ops`` index;
* letters and digits (``N1234567``) -> the foreign passport number, exactly;
* words -> the name, compared through the one transliteration scheme (``core.translit.name_key``:
  Kazakh Cyrillic, Russian Cyrillic typed without the Kazakh letters, passport Latin, j/zh/dzh,
  q/k, y/i, -ayev/-aev all give the same key) with pg_trgm's word similarity (``%>``, answered by
  GIN trigram indexes on the keys: no sequential scan), in the Cyrillic and the Latin key. A word
  typed in the wrong keyboard layout (``;evf,ftd`` for ``Жумабаев``) is tried in both layouts.
  A name shorter than three letters cannot be compared by trigrams; it is matched as a prefix of
  the Cyrillic name's key in the "C" collation and listed in that key's order, so that one btree
  (``person_name_key_c_idx``) answers both the ``LIKE 'ab%'`` and the order: the first page reads
  50 index entries however many thousands of names start so (the key is the same transliteration
  whichever script was typed).

Every row found carries ``match_score`` (0..1, the best name similarity; 1 for an exact number)
and :func:`reasons` says in words why it matched. Thresholds are pg_trgm's, documented in
docs/oralman.md: ``pg_trgm.word_similarity_threshold`` (0.6) for search,
``pg_trgm.similarity_threshold`` (0.3) for the "did you mean" suggestions.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connections, transaction
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Collate, Greatest, Upper
from django.utils.translation import gettext as _

from core.translit import name_key

_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ASCII_DIGITS = re.compile(r"^[0-9]{1,12}$")
_PASSPORT = re.compile(r"^[A-Za-z0-9]*[0-9][A-Za-z0-9]*$")
MIN_TRIGRAM_KEY = 3
SUGGESTION_SIMILARITY = 0.35

# The same keys typed on the other keyboard layout (ЙЦУКЕН <-> QWERTY).
_RU = "ёйцукенгшщзхъфывапролджэячсмитьбю"
_EN = "`qwertyuiop[]asdfghjkl;'zxcvbnm,."
_EN_TO_RU = str.maketrans(_EN + _EN.upper(), _RU + _RU.upper())


@dataclass
class ParsedTerm:
    """What a search term asks for."""

    name_keys: list[str] = field(default_factory=list)  # alternatives for the name words
    short_key: str = ""  # a name too short for trigrams: matched as a key prefix
    iin: str = ""  # 12 digits
    iin_prefix: str = ""  # fewer digits
    passport: str = ""
    birth_date: datetime.date | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.name_keys or self.short_key or self.iin or self.iin_prefix or self.passport or self.birth_date)


def _layout_swapped(text: str) -> str | None:
    """``;evf,ftd`` -> ``жумабаев``: the same keys on the ЙЦУКЕН layout, when the text is ASCII and
    every character maps to a Cyrillic letter. Tried beside the text as typed, never instead."""
    if not text.isascii():
        return None
    swapped = text.translate(_EN_TO_RU)
    if all(ch.isspace() or ch == "-" or "а" <= ch.lower() <= "я" or ch.lower() == "ё" for ch in swapped):
        return swapped
    return None


def person_keys(person) -> list[str]:
    """The keys a person's name is compared by: Cyrillic, Latin, and, when the Cyrillic name was
    typed with the keyboard on the Latin layout, that name read on the Cyrillic layout."""
    keys = [person.name_key, person.latin_key]
    parts = [p for p in (person.surname, person.given_name) if p]
    fixed = [_layout_swapped(p) or p for p in parts]
    if fixed != parts:
        keys.append(name_key(*fixed))
    return [k for k in dict.fromkeys(keys) if k]


def parse(term: str) -> ParsedTerm:
    parsed = ParsedTerm()
    words = []
    for part in term.split():
        if (m := _DATE.match(part)) is not None:
            try:
                parsed.birth_date = datetime.date(int(m[3]), int(m[2]), int(m[1]))
                continue
            except ValueError:
                pass
        if _ASCII_DIGITS.match(part):
            if len(part) == 12:
                parsed.iin = part
            else:
                parsed.iin_prefix = part
        elif _PASSPORT.match(part):
            parsed.passport = part.upper()
        else:
            words.append(part)
    if words:
        text = " ".join(words)
        fixed = " ".join(_layout_swapped(w) or w for w in words)
        keys = [k for k in dict.fromkeys((name_key(text), name_key(fixed))) if k]
        if keys and len(keys[0].replace(" ", "")) < MIN_TRIGRAM_KEY:
            parsed.short_key = keys[0]
        else:
            parsed.name_keys = keys
    return parsed


def _name_score(keys: list[str]):
    scores = [TrigramWordSimilarity(Value(k), column) for k in keys for column in ("name_key", "latin_key")]
    return scores[0] if len(scores) == 1 else Greatest(*scores)


def _word_condition(word: str) -> Q:
    return Q(name_key__trigram_word_similar=word) | Q(latin_key__trigram_word_similar=word)


def _name_condition(keys: list[str]) -> Q:
    """Each alternative spelling of the name: every word of it similar to a word of the stored name
    in either script (one GIN lookup per word, intersected: two common words narrow each other
    instead of each fetching its thousands), or the whole key the start of the stored one (btree
    LIKE 'key%': a name typed so far). Words shorter than three letters (initials) only rank."""
    alternatives = []
    for key in keys:
        words = [w for w in key.split() if len(w) >= MIN_TRIGRAM_KEY] or [key]
        every_word = reduce(and_, [_word_condition(w) for w in words])
        alternatives.append(every_word | Q(name_key__startswith=key) | Q(latin_key__startswith=key))
    return reduce(or_, alternatives)


def person_match(queryset: QuerySet, term: str) -> QuerySet:
    """``queryset`` narrowed to the persons ``term`` describes, with ``match_score`` annotated.

    Every part of the term must match (a name and an IIN prefix narrow each other)."""
    parsed = parse(term)
    if parsed.is_empty:
        return queryset.none()
    if parsed.iin:
        queryset = queryset.filter(iin=parsed.iin)
    if parsed.iin_prefix:
        queryset = queryset.filter(iin__startswith=parsed.iin_prefix)
    if parsed.passport:
        queryset = queryset.annotate(_passport_up=Upper("passport_number")).filter(_passport_up=parsed.passport)
    if parsed.birth_date:
        queryset = queryset.filter(birth_date=parsed.birth_date)
    if parsed.short_key:
        queryset = queryset.annotate(key_order=Collate("name_key", "C")).filter(key_order__startswith=parsed.short_key)
    if parsed.name_keys:
        queryset = queryset.filter(_name_condition(parsed.name_keys)).annotate(
            match_score=_name_score(parsed.name_keys)
        )
    else:
        queryset = queryset.annotate(match_score=Value(1.0, output_field=FloatField()))
    return queryset


def order_by_match(queryset: QuerySet) -> QuerySet:
    if "key_order" in queryset.query.annotations:  # a short name: in the order of the index that found it
        return queryset.order_by("key_order", "pk")
    return queryset.order_by(F("match_score").desc(nulls_last=True), "surname", "given_name", "pk")


def suggestions(queryset: QuerySet, term: str, *, limit: int = 5) -> list[str]:
    """The nearest spellings in ``queryset`` for a term that found nothing: word similarity from
    SUGGESTION_SIMILARITY on (below the search's 0.6), still answered by the trigram indexes."""
    keys = parse(term).name_keys
    if not keys:
        return []
    near = reduce(
        or_, [Q(**{f"{column}__trigram_word_similar": k}) for k in keys for column in ("name_key", "latin_key")]
    )
    rows = (
        queryset.filter(near)
        .annotate(near_score=_name_score(keys))
        .order_by("-near_score", "pk")
        .values_list("surname", "given_name")[: limit * 3]
    )
    with transaction.atomic(using=queryset.db), connections[queryset.db].cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s", [SUGGESTION_SIMILARITY])
        names = dict.fromkeys(f"{surname} {given}".strip() for surname, given in rows)
    return list(names)[:limit]


def reasons(person, term: str) -> list[str]:
    """Why ``person`` (from :func:`person_match`) matched ``term``, in words for the caseworker."""
    parsed = parse(term)
    found = []
    if parsed.iin:
        found.append(_("IIN"))
    if parsed.iin_prefix:
        found.append(_("IIN starts with %(prefix)s") % {"prefix": parsed.iin_prefix})
    if parsed.passport:
        found.append(_("passport number"))
    if parsed.birth_date:
        found.append(_("date of birth"))
    if parsed.short_key:
        found.append(_("name starts with the letters typed"))
    if parsed.name_keys:
        score = getattr(person, "match_score", None)
        if score is not None and score >= 0.999:
            found.append(_("name (same in transliteration)"))
        elif score is not None:
            found.append(_("name similar, %(percent)d %%") % {"percent": round(score * 100)})
    return found


# --- Likely duplicates of one person -------------------------------------------------------------

# A pair born the same day is a likely duplicate from this name similarity on (trigram similarity
# of the transliterated keys; 1.0 = the same key). Measured on the generated set in
# tests/oralman/test_matching.py::test_duplicate_detection_precision_and_recall.
DUPLICATE_NAME_SIMILARITY = 0.5


def similar_persons(person, queryset: QuerySet) -> QuerySet:
    """Persons in ``queryset`` (other than ``person``) born the same day whose name is similar to
    ``person``'s in either script, with ``match_score`` annotated (GIN trigram + birth-date index)."""
    keys = person_keys(person)
    if not keys or person.birth_date is None:
        return queryset.none()
    similar = reduce(
        or_, [Q(**{f"{column}__trigram_similar": key}) for key in keys for column in ("name_key", "latin_key")]
    )
    scores = [TrigramSimilarity(column, Value(k)) for k in keys for column in ("name_key", "latin_key")]
    score = scores[0] if len(scores) == 1 else Greatest(*scores)
    return (
        queryset.filter(similar, birth_date=person.birth_date)
        .exclude(pk=person.pk)
        .annotate(match_score=score)
        .filter(match_score__gte=DUPLICATE_NAME_SIMILARITY)
    )


def likely_duplicates(person) -> list[tuple[object, str, float | None]]:
    """Other persons that are probably the same human, each with the reason and the name
    similarity: the same IIN, the same passport, or a similar name (either script) and the same
    date of birth. Searches the whole registry, whatever the caller's scope (a duplicate in another
    region is still a duplicate); callers must not reveal out-of-scope rows beyond a flag."""
    from oralman.models import DuplicateFlag, Person

    found: list[tuple[object, str, float | None]] = []
    others = Person.objects.exclude(pk=person.pk)
    if person.iin:
        found += [(other, DuplicateFlag.Reason.IIN, None) for other in others.filter(iin=person.iin)[:5]]
    if person.passport_number:
        same_passport = others.annotate(_up=Upper("passport_number")).filter(_up=person.passport_number.upper())
        found += [(other, DuplicateFlag.Reason.PASSPORT, None) for other in same_passport.order_by("pk")[:10]]
    for other in similar_persons(person, Person.objects.all()).order_by("-match_score", "pk")[:20]:
        found.append((other, DuplicateFlag.Reason.NAME_BIRTH_DATE, round(other.match_score, 3)))
    return found


_SWEEP_SQL = """
INSERT INTO oralman_duplicateflag (person_id, other_id, reason, similarity, created_at)
SELECT b.id, a.id, 'name_birth_date', s.score, now()
FROM oralman_person a
JOIN oralman_person b ON b.birth_date = a.birth_date AND b.id > a.id
CROSS JOIN LATERAL (
    SELECT GREATEST(
        similarity(a.name_key, b.name_key),
        CASE WHEN a.latin_key <> '' AND b.latin_key <> '' THEN similarity(a.latin_key, b.latin_key) ELSE 0 END,
        CASE WHEN b.latin_key <> '' THEN similarity(a.name_key, b.latin_key) ELSE 0 END,
        CASE WHEN a.latin_key <> '' THEN similarity(a.latin_key, b.name_key) ELSE 0 END
    ) AS score
) s
WHERE a.birth_date >= %(start)s AND a.birth_date < %(end)s AND s.score >= %(threshold)s
ON CONFLICT (person_id, other_id, reason) DO NOTHING
"""


def duplicate_sweep(*, years: range | None = None) -> int:
    """The nightly sweep: flag every pair born the same day whose names are similar (the same
    rule as the check on create), one birth year per statement. Idempotent: an existing flag,
    open or resolved as "different persons", is never written again. Returns the flags added."""
    from oralman.models import Person

    if years is None:
        bounds = Person.objects.order_by("birth_date").values_list("birth_date", flat=True)
        first, last = bounds.first(), bounds.last()
        if first is None:
            return 0
        years = range(first.year, last.year + 1)
    added = 0
    for year in years:
        with transaction.atomic(), connections["default"].cursor() as cursor:
            cursor.execute(
                _SWEEP_SQL,
                {
                    "start": datetime.date(year, 1, 1),
                    "end": datetime.date(year + 1, 1, 1),
                    "threshold": DUPLICATE_NAME_SIMILARITY,
                },
            )
            added += cursor.rowcount
    return added


def describe_duplicate(flag, user) -> dict:
    """A flag as the user may see it: the other person's name and case number only when the user's
    scope includes that person (core.authz); otherwise only that one exists elsewhere."""
    from core.authz import can

    visible = can(user, "view", flag.other)
    return {
        "person": flag.other_id if visible else None,
        "name": str(flag.other) if visible else None,
        "reason": flag.reason,
        "reason_display": str(flag.get_reason_display()),
        "similarity": flag.similarity,
        "in_your_scope": visible,
    }
