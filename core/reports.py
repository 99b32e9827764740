"""Reports for the ministry: rows from one database aggregate, shown as a chart and a table in the
admin, downloadable as CSV/XLSX, served by the API, and exportable in the background.

An app declares its reports in `<app>/reports.py`:

    register(Report(
        slug="quota-use", title=_("Quota use by region"),
        columns=[Column("region", _("Region")), Column("share", _("Share"), numeric=True), ...],
        rows=quota_use_rows,            # def quota_use_rows(*, user, params) -> list[dict] (DB aggregate)
        params_form=QuotaYearParamsForm,  # optional django Form for the parameters (validated -> 400)
        chart=Chart(label="region", values=["share", "allocated"]),
    ))
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import tablib
from django import forms
from django.http import HttpResponse
from django.utils.text import slugify

from core.replica import replica_reads
from core.roles import Role, role_of

REPORTS: dict[str, Report] = {}


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    numeric: bool = False


@dataclass(frozen=True)
class Chart:
    label: str
    values: list[str]
    kind: str = "bar"  # horizontal bars, one group per row


class EmptyParams(forms.Form):
    pass


@dataclass
class Report:
    slug: str
    title: Any
    columns: list[Column]
    rows: Callable[..., Iterable[dict]]
    chart: Chart | None = None
    params_form: type[forms.Form] = EmptyParams
    description: Any = ""
    roles: tuple[str, ...] = (Role.ADMINISTRATOR, Role.MINISTRY_ANALYST)
    group: Any = ""
    extra: dict = field(default_factory=dict)

    def allowed(self, user) -> bool:
        return role_of(user) in self.roles

    def build(self, *, user, data) -> tuple[forms.Form, list[dict]]:
        """Validate the parameters and compute the rows (empty when the form is invalid)."""
        form = self.params_form(data or None) if data else self.params_form()
        if data and not form.is_valid():
            return form, []
        params = form.cleaned_data if form.is_bound else {k: f.initial for k, f in form.fields.items()}
        with replica_reads():  # an aggregate that may lag a moment: the replica if there is one
            return form, list(self.rows(user=user, params=params))


def register(report: Report) -> Report:
    REPORTS[report.slug] = report
    return report


def to_dataset(report: Report, rows: list[dict]) -> tablib.Dataset:
    data = tablib.Dataset(headers=[neutralise_formula(str(c.label)) for c in report.columns])
    for row in rows:
        data.append([_plain(row.get(c.key)) for c in report.columns])
    return data


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...), =cmd|...,
# @SUM, +1+cmd...); tab and carriage return are read as the start of another cell by some imports.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Text as a spreadsheet shows it, never runs it: a leading apostrophe before a formula trigger
    (OWASP's advice for CSV injection)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _plain(value):
    """A cell for CSV/XLSX: numbers stay numbers, everything else is neutralised text."""
    if value is None:
        return ""
    if hasattr(value, "quantize"):
        return float(value)
    return value if isinstance(value, int | float) else neutralise_formula(str(value))


def export_bytes(report: Report, rows: list[dict], fmt: str) -> tuple[bytes, str]:
    if fmt == "xlsx":
        return to_dataset(report, rows).export(
            "xlsx"
        ), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise_formula(str(c.label)) for c in report.columns])
    for row in rows:
        writer.writerow([_plain(row.get(c.key)) for c in report.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"


def download_response(report: Report, rows: list[dict], fmt: str) -> HttpResponse:
    content, content_type = export_bytes(report, rows, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{slugify(report.slug)}.{fmt}"'
    return response


def svg_bar_chart(report: Report, rows: list[dict], *, width: int = 760, bar_height: int = 14) -> dict:
    """Geometry for a horizontal grouped bar chart, drawn by the template as inline SVG (no CDN)."""
    chart = report.chart
    if chart is None or not rows:
        return {}
    palette = ["#417690", "#e0a030", "#79aec8", "#ba2121", "#5b8a3c", "#8a5b9e"]
    labels = {c.key: str(c.label) for c in report.columns}
    peak = max((float(row.get(k) or 0) for row in rows for k in chart.values), default=0) or 1
    left, right = 220, 60
    group_height = bar_height * len(chart.values) + 8
    bars = []
    for i, row in enumerate(rows[:40]):
        y0 = 30 + i * group_height
        for j, key in enumerate(chart.values):
            value = float(row.get(key) or 0)
            bars.append(
                {
                    "x": left,
                    "y": y0 + j * bar_height,
                    "w": round(max(0.0, (width - left - right) * value / peak), 1),
                    "h": bar_height - 2,
                    "color": palette[j % len(palette)],
                    "value": row.get(key) or 0,
                    "label": str(row.get(chart.label, "")) if j == 0 else "",
                    "label_y": y0 + group_height // 2,
                }
            )
    legend = [
        {"text": labels.get(k, k), "color": palette[j % len(palette)], "x": left + j * 190}
        for j, k in enumerate(chart.values)
    ]
    return {
        "width": width,
        "height": 40 + min(len(rows), 40) * group_height,
        "bars": bars,
        "legend": legend,
        "left": left,
    }
