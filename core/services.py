from __future__ import annotations

import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.jobs import publish
from core.models import ApiToken, ReportExport
from core.reports import REPORTS, export_bytes


def report_export_start(*, report_slug: str, params: dict, fmt: str, user) -> ReportExport:
    """Queue a background export of a report; the file appears on the export row when done."""
    report = REPORTS.get(report_slug)
    if report is None or not report.allowed(user):
        raise DomainError(_("Unknown report."), field="report")
    if fmt not in ("csv", "xlsx"):
        raise DomainError(_("Choose CSV or XLSX."), field="format")
    form = report.params_form(params or None) if params else None
    if form is not None and not form.is_valid():
        raise DomainError(_("The report parameters are not valid."), field="params")
    export = ReportExport.objects.create(report=report_slug, params=params, format=fmt, requested_by=user)
    transaction.on_commit(lambda: report_export_publish(export_id=export.pk))
    return export


def report_export_publish(*, export_id: int) -> bool:
    """Hand the export's job to the broker; if it is down the row waits for the dispatcher. Never raises."""
    from core.tasks import export_report_task

    if publish(export_report_task, args=[export_id]) is None:
        return False
    ReportExport.objects.filter(pk=export_id).update(dispatched_at=timezone.now())
    return True


def report_exports_dispatch(*, now=None) -> list[int]:
    """The dispatcher (beat, every minute): publish the exports still pending whose job was never
    handed to the broker, or was handed long ago and never picked up (the broker lost it)."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.JOBS_REPUBLISH_AFTER_SECONDS)
    pending = ReportExport.objects.filter(state=ReportExport.State.PENDING).filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale)
    )
    return [pk for pk in pending.order_by("pk").values_list("pk", flat=True) if report_export_publish(export_id=pk)]


def report_export_run(*, export_id: int) -> ReportExport:
    """Compute the rows and store the file; idempotent (a finished export is left as it is)."""
    with transaction.atomic():
        export = ReportExport.objects.select_for_update().get(pk=export_id)
        if export.state == ReportExport.State.DONE:
            return export
        export.state = ReportExport.State.RUNNING
        export.save(update_fields=["state"])
    report = REPORTS[export.report]
    data = QueryDict(mutable=True)
    for key, value in (export.params or {}).items():
        data[key] = value
    # The worker has no request: the file speaks the language the user chose for themselves.
    language = export.requested_by.preferred_language or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            form, rows = report.build(user=export.requested_by, data=data if export.params else None)
            content, _ctype = export_bytes(report, rows, export.format, form=form)
    except Exception as exc:  # recorded for the user; the traceback goes to the worker log
        export.state = ReportExport.State.FAILED
        export.error = str(exc)[:2000]
        export.save(update_fields=["state", "error"])
        raise
    export.file.save(f"{export.report}-{export.pk}.{export.format}", ContentFile(content), save=False)
    export.rows = len(rows)
    export.state = ReportExport.State.DONE
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "rows", "state", "finished_at"])
    return export


def api_token_issue(*, user, name: str, days: int | None = None, hours: int | None = None) -> tuple[ApiToken, str]:
    """Issue a named, expiring API token for ``user``; returns the row and the token, which is
    shown this once (only its digest is stored). Default lifetime: API_TOKEN_INTEGRATION_DAYS."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the integration that will hold the token."), field="name")
    if not user.is_active:
        raise DomainError(_("The user is not active."), field="user")
    if hours is not None:
        lifetime = datetime.timedelta(hours=hours)
    else:
        lifetime = datetime.timedelta(days=days if days is not None else settings.API_TOKEN_INTEGRATION_DAYS)
    if lifetime <= datetime.timedelta(0):
        raise DomainError(_("A token must expire in the future."), field="days")
    return ApiToken.objects.create(user=user, name=name, expiry=lifetime)


def api_token_revoke(*, token: ApiToken) -> None:
    token.delete()
