"""Admin pages of the reports: /admin/reports/ and /admin/reports/<slug>/ (chart, table, downloads)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.models import ReportExport
from core.reports import REPORTS, download_response, svg_bar_chart
from core.roles import role_of
from core.services import report_export_start


def _require_role(request) -> None:
    if role_of(request.user) is None:
        raise PermissionDenied


def _report_or_404(request, slug):
    _require_role(request)
    report = REPORTS.get(slug)
    if report is None:
        raise Http404
    if not report.allowed(request.user):
        raise PermissionDenied
    return report


def reports_index(request):
    _require_role(request)
    reports = [r for r in REPORTS.values() if r.allowed(request.user)]
    exports = ReportExport.objects.filter(requested_by=request.user)[:20]
    context = {**admin.site.each_context(request), "title": _("Reports"), "reports": reports, "exports": exports}
    return TemplateResponse(request, "admin/core/reports_index.html", context)


def report_page(request, slug):
    report = _report_or_404(request, slug)
    params = request.GET.copy()
    fmt = params.pop("format", [None])[0]
    form, rows = report.build(user=request.user, data=params)
    if fmt in ("csv", "xlsx") and (not form.is_bound or form.is_valid()):
        return download_response(report, rows, fmt, form=form)
    context = {
        **admin.site.each_context(request),
        "title": report.title,
        "report": report,
        "form": form,
        "rows": [[(row.get(c.key), c.numeric) for c in report.columns] for row in rows],
        "columns": report.columns,
        "chart": svg_bar_chart(report, rows),
        "query": params.urlencode(),
    }
    return TemplateResponse(request, "admin/core/report.html", context)


def report_export(request, slug):
    report = _report_or_404(request, slug)
    if request.method != "POST":
        return redirect(reverse("reports:page", args=[slug]))
    params = {k: v for k, v in request.GET.items() if k != "format"}
    try:
        report_export_start(
            report_slug=report.slug, params=params, fmt=request.POST.get("format", "xlsx"), user=request.user
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The export is being prepared; it will appear in the list of exports."))
    return redirect(reverse("reports:index"))


app_name = "reports"
urlpatterns = [
    path("", admin.site.admin_view(reports_index), name="index"),
    path("<slug:slug>/", admin.site.admin_view(report_page), name="page"),
    path("<slug:slug>/export/", admin.site.admin_view(report_export), name="export"),
]
