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
import datetime
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst, slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

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
    # The rows end with a total (kept in the table, the exports and the API): left out of the chart,
    # where its bars, the sum of all the others, would squeeze every other bar to a sliver.
    total_last: bool = False


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


# Spreadsheets in Russian and Kazakh locales split CSV at ";" and read "1,5" as a number (a comma
# there is the decimal separator); English ones expect "," and "1.5".
CSV_DIALECTS = {"ru": (";", ","), "kk": (";", ",")}
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def csv_dialect(language: str | None = None) -> tuple[str, str]:
    """(field separator, decimal mark) for the language (the active one by default)."""
    return CSV_DIALECTS.get((language or get_language() or "ru")[:2], (",", "."))


def _csv_cell(value, decimal_mark: str):
    cell = _plain(value)
    if isinstance(cell, float) and decimal_mark != ".":
        return repr(cell).replace(".", decimal_mark)
    return cell


def sheet_name(title) -> str:
    """An Excel sheet name from a report title: at most 31 characters, none of []:*?/\\, not
    starting or ending with an apostrophe, never empty."""
    name = SHEET_NAME_FORBIDDEN.sub(" ", str(title)).strip().strip("'")
    name = re.sub(r"\s+", " ", name)[:31].strip()
    return name or "Report"


def _param_text(field: forms.Field, value) -> str:
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return str(dict(field.choices).get(value, value))
    return str(value)


def export_heading(report: Report, form: forms.Form | None, *, now: datetime.datetime | None = None) -> list[str]:
    """The lines above the table in an XLSX: the title, each parameter used (the period, the
    region: "whole country" when none is chosen) and when the file was made (local time)."""
    lines = [str(report.title)]
    has_region = False
    if form is not None:
        cleaned = getattr(form, "cleaned_data", None) if form.is_bound else None
        for name, field in form.fields.items():
            value = cleaned.get(name) if cleaned is not None else field.initial
            value = value() if callable(value) else value
            has_region = has_region or name == "region"
            if name == "region" and value in (None, ""):
                value = _("whole country")
            if value in (None, ""):
                continue
            lines.append(f"{capfirst(str(field.label))}: {_param_text(field, value)}")
    if not has_region:
        lines.append(f"{_('Region')}: {_('whole country')}")
    made = timezone.localtime(now or timezone.now())
    lines.append(_("Generated: %(when)s") % {"when": date_format(made, "SHORT_DATETIME_FORMAT")})
    return lines


def _xlsx(report: Report, rows: list[dict], form: forms.Form | None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name(report.title)
    heading = export_heading(report, form)
    for i, line in enumerate(heading):
        sheet.append([neutralise_formula(line)])
        sheet.cell(row=i + 1, column=1).font = Font(bold=True, size=14) if i == 0 else Font(italic=True)
    sheet.append([])
    header_row = len(heading) + 2
    sheet.append([neutralise_formula(str(c.label)) for c in report.columns])
    for row in rows:
        sheet.append([_plain(row.get(c.key)) for c in report.columns])
    for j, column in enumerate(report.columns, start=1):
        cell = sheet.cell(row=header_row, column=j)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="right" if column.numeric else "left", wrap_text=True)
        widest = max([len(str(column.label))] + [len(str(r.get(column.key) or "")) for r in rows[:500]])
        sheet.column_dimensions[get_column_letter(j)].width = min(max(widest + 2, 8), 50)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_bytes(report: Report, rows: list[dict], fmt: str, *, form: forms.Form | None = None) -> tuple[bytes, str]:
    """The report as a file. XLSX: one sheet named after the report, with the title, parameters and
    time of making above the table. CSV: the table only, in the active language's dialect
    (csv_dialect), UTF-8 with a BOM so that spreadsheets detect the encoding."""
    if fmt == "xlsx":
        return _xlsx(report, rows, form), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    separator, decimal_mark = csv_dialect()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerow([neutralise_formula(str(c.label)) for c in report.columns])
    for row in rows:
        writer.writerow([_csv_cell(row.get(c.key), decimal_mark) for c in report.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"


def download_response(report: Report, rows: list[dict], fmt: str, *, form: forms.Form | None = None) -> HttpResponse:
    content, content_type = export_bytes(report, rows, fmt, form=form)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{slugify(report.slug)}.{fmt}"'
    return response


CHART_LABEL_LINE = 34  # characters of a chart label's line at 11 px in the 260 px left margin


def chart_label_lines(text: str, *, width: int = CHART_LABEL_LINE) -> list[str]:
    """A bar's label on at most two lines: wrapped at spaces, and when still too long the second
    line keeps the end of the text ("…, Уральск"), where long names of one kind differ."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return [text]
    cut = text.rfind(" ", 0, width + 1)
    cut = cut if cut > width // 2 else width
    first, rest = text[:cut].rstrip(), text[cut:].lstrip()
    if len(rest) > width:
        rest = "…" + rest[-(width - 1) :].lstrip()
    return [first, rest]


def _distinct_labels(texts: list[str]) -> list[list[str]]:
    """Shortened labels, numbered where different texts would still read the same."""
    shortened = [chart_label_lines(t) for t in texts]
    fulls: dict[tuple, list[str]] = {}
    for text, lines in zip(texts, shortened, strict=True):
        fulls.setdefault(tuple(lines), [])
        if text not in fulls[tuple(lines)]:
            fulls[tuple(lines)].append(text)
    for i, lines in enumerate(shortened):
        alike = fulls[tuple(lines)]
        if len(alike) > 1:
            shortened[i] = [*lines[:-1], f"{lines[-1]} ({alike.index(texts[i]) + 1})"]
    return shortened


def svg_bar_chart(report: Report, rows: list[dict], *, width: int = 800, bar_height: int = 14) -> dict:
    """Geometry for a horizontal grouped bar chart, drawn by the template as inline SVG (no CDN).
    Each row's label is wrapped to two lines (chart_label_lines) and its full text is the group's
    tooltip (<title>), so long names that begin alike stay distinguishable."""
    chart = report.chart
    if chart is None or not rows:
        return {}
    palette = ["#417690", "#e0a030", "#79aec8", "#ba2121", "#5b8a3c", "#8a5b9e"]
    labels = {c.key: str(c.label) for c in report.columns}
    shown = (rows[:-1] if chart.total_last else rows)[:40]
    if not shown:
        return {}
    peak = max((float(row.get(k) or 0) for row in shown for k in chart.values), default=0) or 1
    left, right = 260, 60
    texts = [str(row.get(chart.label, "") or "—") for row in shown]
    label_lines = _distinct_labels(texts)
    two_lines = any(len(lines) > 1 for lines in label_lines)
    group_height = max(bar_height * len(chart.values) + 8, 30 if two_lines else 0)
    groups = []
    for i, row in enumerate(shown):
        y0 = 30 + i * group_height
        bars_top = y0 + (group_height - 8 - bar_height * len(chart.values)) // 2
        bars = []
        for j, key in enumerate(chart.values):
            value = float(row.get(key) or 0)
            bars.append(
                {
                    "x": left,
                    "y": bars_top + j * bar_height,
                    "w": round(max(0.0, (width - left - right) * value / peak), 1),
                    "h": bar_height - 2,
                    "color": palette[j % len(palette)],
                    "value": row.get(key) or 0,
                    "name": labels.get(key, key),
                }
            )
        lines = label_lines[i]
        first_y = y0 + (group_height - 8) // 2 - (6 if len(lines) > 1 else 0)
        groups.append(
            {
                "full": texts[i],
                "lines": [{"text": line, "y": first_y + k * 13} for k, line in enumerate(lines)],
                "bars": bars,
            }
        )
    # The legend spans the whole width, so four or more series still fit (it once ran off the right edge).
    spacing = (width - 10) // max(len(chart.values), 1)
    legend = [
        {"text": labels.get(k, k), "color": palette[j % len(palette)], "x": 10 + j * spacing}
        for j, k in enumerate(chart.values)
    ]
    return {
        "width": width,
        "height": 40 + len(shown) * group_height,
        "groups": groups,
        "legend": legend,
        "left": left,
    }
