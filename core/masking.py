"""Minimal disclosure: IINs and passport numbers shown masked to roles that do not need them.

Who sees them in full is a permission, ``oralman.view_identifiers_person``, declared in the roles files
(caseworkers; administrators have every permission) and asked through :func:`core.authz.can`, so
for a single row the scope counts too: a caseworker sees full numbers of their own region's
persons only. Ministry analysts (statistics need no identities) and center staff (they find a
resident by typing the number, never by reading it) see the masked form everywhere.
"""

from __future__ import annotations

from core.authz import can

IDENTIFIERS_PERMISSION = "oralman.view_identifiers_person"


def mask_iin(iin: str | None) -> str | None:
    """``800315300123`` -> ``800315******``: the date of birth part stays (it is on the page
    anyway), the serial and check digits that make the number unique do not."""
    if not iin:
        return iin
    return iin[:6] + "*" * (len(iin) - 6) if len(iin) > 6 else "*" * len(iin)


def mask_passport(number: str | None) -> str | None:
    """``N12345689`` -> ``N12****89``: enough to tell two documents apart on a list, not to reuse."""
    if not number:
        return number
    if len(number) <= 5:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]


def shows_identifiers(user, target) -> bool:
    """May ``user`` read full IINs and passport numbers of ``target`` (a Person, or the Person
    model for a list whose rows are already scoped)? Cached per user for model-level questions."""
    if isinstance(target, type):
        cache = user.__dict__.setdefault("_kandas_identifiers", {})
        if target not in cache:
            cache[target] = can(user, IDENTIFIERS_PERMISSION, target)
        return cache[target]
    # A page asks this of its one person several times (fields, fieldsets, inlines, warnings): the
    # answer is kept on the request's user object, which lives for one request.
    cache = user.__dict__.setdefault("_kandas_identifiers_rows", {})
    key = (type(target), target.pk)
    if target.pk is None or key not in cache:
        cache[key] = can(user, IDENTIFIERS_PERMISSION, target)
    return cache[key]
