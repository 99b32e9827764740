"""Reads of core's own rows, through the user's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from core.models import ReportExport
from core.roles import Role, role_of


def report_export_list(*, user) -> QuerySet[ReportExport]:
    """Administrators see every export; anyone else only the exports they asked for."""
    queryset = ReportExport.objects.select_related("requested_by")
    role = role_of(user)
    if role == Role.ADMINISTRATOR:
        return queryset
    if role is None:
        return queryset.none()
    return queryset.filter(requested_by=user)
