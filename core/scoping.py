"""Scope helpers: every selector applies the user's reach once, so no page or endpoint forgets it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from core.roles import Role, role_of


def scope_by_region(queryset: QuerySet, user, *, field: str = "region") -> QuerySet:
    """Whole country for administrators and ministry analysts, the own region for caseworkers,
    nothing for anyone else (center staff get their center's rows through their app's selectors)."""
    role = role_of(user)
    if role in (Role.ADMINISTRATOR, Role.MINISTRY_ANALYST):
        return queryset
    if role == Role.CASEWORKER and user.region_id:
        return queryset.filter(**{f"{field}_id" if "__" not in field else field: user.region_id})
    return queryset.none()


def allowed_region_ids(user) -> list[int] | None:
    """Region ids the user may write to; None means every region."""
    role = role_of(user)
    if role == Role.ADMINISTRATOR:
        return None
    if role == Role.CASEWORKER and user.region_id:
        return [user.region_id]
    return []


# --- Reach of the programmes built on the case file --------------------------------------------
# The case file (oralman) does not import the programmes built on it. A programme whose staff reach
# persons through their own work (the adaptation centers: residents and referred persons) registers
# a function `user -> Person ids (a values("pk") queryset)` in its AppConfig.ready(); the case file's
# selectors ask `person_reach(user)` for the center staff's view of persons.
PersonReach = Callable[[Any], QuerySet]
_PERSON_REACH: list[PersonReach] = []


def register_person_reach(reach: PersonReach) -> None:
    """Add a source of the persons a (non-regional) user reaches; registering twice is harmless."""
    if reach not in _PERSON_REACH:
        _PERSON_REACH.append(reach)


def person_reach(user) -> list[QuerySet]:
    """The person-id querysets every registered programme gives `user` (empty: none reaches any)."""
    return [reach(user) for reach in _PERSON_REACH]
