"""The status caseload: kandas status applications by period of submission (or by region), what
became of them, how long the decisions took and how many are overdue now. One scan of counts,
summed per row in Python (`caseload_rows`).

Cohorts: every row counts the applications *submitted* in its period (drafts never submitted are
left out) and follows them to today: decided (granted or refused), the rates among the decided,
days from the first submission to the decision (median and 90th percentile; calendar days, a
return for documents included), still open, and open past the decision deadline today.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import Region
from core.reports import Chart, Column, Report, register
from core.roles import Role, role_of
from oralman.models import StatusApplication

TABLE = StatusApplication._meta.db_table
GROUPINGS = {"month": _("month"), "quarter": _("quarter"), "year": _("year"), "region": _("region")}
OPEN = ("submitted", "under_review", "commission", "returned")
RUNNING = ("submitted", "under_review", "commission")
DECIDED = ("granted", "refused")


class CaseloadParams(forms.Form):
    group_by = forms.ChoiceField(label=_("Group by"), choices=list(GROUPINGS.items()), initial="month", required=False)
    date_from = forms.DateField(label=_("Submitted from"), required=False)
    date_to = forms.DateField(label=_("Submitted until"), required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError(_("The first date is after the last one."))
        return cleaned


def _share(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def _days(value):
    return round(float(value), 1) if value is not None else None


def _label(group_by: str, key) -> str:
    if key is None:
        return "—"
    if group_by == "month":
        return key.strftime("%m.%Y")
    if group_by == "quarter":
        return _("Q%(quarter)s %(year)s") % {"quarter": (key.month - 1) // 3 + 1, "year": key.year}
    if group_by == "year":
        return str(key.year)
    return str(key)


def percentile_cont(histogram: dict[int, int], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over a histogram {value: count}: the value at position
    fraction x (n - 1) of the sorted values, interpolated between its two neighbours."""
    n = sum(histogram.values())
    if not n:
        return None
    position = fraction * (n - 1)
    below, offset = int(position), position - int(position)
    seen, lower = 0, None
    for value in sorted(histogram):
        seen += histogram[value]
        if lower is None and seen > below:
            lower = value
        if seen > below + (1 if offset else 0):
            return lower + (value - lower) * offset
    return float(lower)


class _Tally:
    """The counts of one row of the report (a period, a region or the total)."""

    def __init__(self):
        self.states: dict[str, int] = {}
        self.days: dict[int, int] = {}
        self.overdue = 0

    def add(self, state: str, days: int | None, overdue: bool, n: int) -> None:
        self.states[state] = self.states.get(state, 0) + n
        if state in DECIDED and days is not None:
            self.days[days] = self.days.get(days, 0) + n
        if overdue:
            self.overdue += n

    def row(self) -> dict:
        count = self.states.get
        return {
            "submitted": sum(self.states.values()),
            "decided": sum(count(state, 0) for state in DECIDED),
            "granted": count("granted", 0),
            "refused": count("refused", 0),
            "withdrawn": count("withdrawn", 0),
            "median_days": percentile_cont(self.days, 0.5),
            "p90_days": percentile_cont(self.days, 0.9),
            "open": sum(count(state, 0) for state in OPEN),
            "overdue": self.overdue,
        }


def caseload_rows(*, user, params, today: datetime.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    group_by = params.get("group_by") or "month"
    where, args = ["a.submitted_on IS NOT NULL"], {"today": today, "running": list(RUNNING)}
    region_id = user.region_id or -1 if role_of(user) == Role.CASEWORKER else getattr(params.get("region"), "pk", None)
    if region_id is not None:
        where.append("a.region_id = %(region)s")
        args["region"] = region_id
    if params.get("date_from"):
        where.append("a.submitted_on >= %(date_from)s")
        args["date_from"] = params["date_from"]
    if params.get("date_to"):
        where.append("a.submitted_on <= %(date_to)s")
        args["date_to"] = params["date_to"]
    # date_trunc of a date as a timestamp without time zone: the same first day, without a time-zone
    # conversion per row (a third of the scan's cost on 300,000 rows).
    key = {
        "month": "date_trunc('month', a.submitted_on::timestamp)::date",
        "quarter": "date_trunc('quarter', a.submitted_on::timestamp)::date",
        "year": "date_trunc('year', a.submitted_on::timestamp)::date",
        "region": "a.region_id",
    }[group_by]
    # One pass over the applications, grouped by period, state, days to decision and overdue today:
    # a few thousand counts (16,269 for 300,000 applications by month), from which the periods, the
    # total and their percentiles are summed in Python. PostgreSQL hashes these groups in one scan;
    # percentile_cont per period instead sorted every period's days, and the total's again (a
    # whole-history aggregate on every view: 300 ms at 1,000,000 persons, issue 16).
    sql = f"""
        SELECT {key} AS key, a.state, a.decided_on - a.submitted_on AS days,
               a.state = ANY(%(running)s) AND a.decision_due < %(today)s AS overdue,
               COUNT(*) AS n
        FROM {TABLE} a
        WHERE {" AND ".join(where)}
        GROUP BY 1, 2, 3, 4
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        counts = cursor.fetchall()
    groups: dict = {}
    total = _Tally()
    for group_key, state, days, overdue, n in counts:
        for tally in (groups.setdefault(group_key, _Tally()), total):
            tally.add(state, days, bool(overdue), n)
    rows = [{"key": group_key, **tally.row()} for group_key, tally in groups.items()]
    if group_by == "region":
        lang = (get_language() or "ru")[:2]
        field = f"name_{lang if lang in ('ru', 'kk', 'en') else 'ru'}"
        region_names = dict(Region.objects.values_list("pk", field))
        for row in rows:
            row["label"] = region_names.get(row.pop("key"), "—")
        rows.sort(key=lambda row: (-row["overdue"], -row["submitted"], row["label"]))
    else:
        rows.sort(key=lambda row: row["key"])
        for row in rows:
            row["label"] = _label(group_by, row.pop("key"))
    if rows:
        rows.append({"label": str(_("Total")), **total.row()})
    for row in rows:
        row["grant_rate"] = _share(row["granted"], row["decided"])
        row["refusal_rate"] = _share(row["refused"], row["decided"])
        row["median_days"] = _days(row["median_days"])
        row["p90_days"] = _days(row["p90_days"])
    return rows


register(
    Report(
        slug="status-caseload",
        title=_("Status applications: caseload, decisions and deadlines"),
        description=_(
            "Kandas status applications by period of first submission (or by region) and what became of them: "
            "decided, granted and refused with their share of the decided, days from submission to decision "
            "(median and 90th percentile), still open, and open past the decision deadline today."
        ),
        columns=[
            Column("label", _("Period or region")),
            Column("submitted", _("Submitted"), numeric=True),
            Column("decided", _("Decided"), numeric=True),
            Column("granted", _("Status granted"), numeric=True),
            Column("refused", _("Status refused"), numeric=True),
            Column("grant_rate", _("Granted, %"), numeric=True),
            Column("refusal_rate", _("Refused, %"), numeric=True),
            Column("median_days", _("Median, days"), numeric=True),
            Column("p90_days", _("90th pct., days"), numeric=True),
            Column("withdrawn", _("Withdrawn"), numeric=True),
            Column("open", _("Still open"), numeric=True),
            Column("overdue", _("Overdue now"), numeric=True),
        ],
        rows=caseload_rows,
        params_form=CaseloadParams,
        chart=Chart(label="label", values=["submitted", "granted", "refused", "overdue"], total_last=True),
        group=_("Kandas status"),
    )
)
