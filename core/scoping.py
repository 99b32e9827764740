"""Scope helpers: every selector applies the user's reach once, so no page or endpoint forgets it."""

from __future__ import annotations

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
