"""Reads of core's own rows, scoped to the user."""

from __future__ import annotations

from django.db.models import QuerySet

from core.models import ReportExport
from core.roles import Role, role_of


def report_export_list(*, user) -> QuerySet[ReportExport]:
    """An export holds the requester's report: the requester's own, or every one for administrators."""
    if role_of(user) == Role.ADMINISTRATOR:
        return ReportExport.objects.all()
    if role_of(user) is None:
        return ReportExport.objects.none()
    return ReportExport.objects.filter(requested_by=user)
