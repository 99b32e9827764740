"""The status caseload: kandas status applications by period of submission (or by region), what
became of them, how long the decisions took and how many are overdue now. One SQL aggregate.

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


def caseload_rows(*, user, params, today: datetime.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    group_by = params.get("group_by") or "month"
    where, args = ["a.submitted_on IS NOT NULL"], {"today": today, "open": list(OPEN), "running": list(RUNNING)}
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
    lang = (get_language() or "ru")[:2]
    name = f"r.name_{lang if lang in ('ru', 'kk', 'en') else 'ru'}"
    key, order = {
        "month": ("date_trunc('month', a.submitted_on)::date", "1"),
        "quarter": ("date_trunc('quarter', a.submitted_on)::date", "1"),
        "year": ("date_trunc('year', a.submitted_on)::date", "1"),
        "region": (name, "overdue DESC, submitted DESC, 1"),
    }[group_by]
    decided = "a.state IN ('granted', 'refused')"
    days = "(a.decided_on - a.submitted_on)"
    sql = f"""
        SELECT {key} AS key,
               COUNT(*) AS submitted,
               COUNT(*) FILTER (WHERE {decided}) AS decided,
               COUNT(*) FILTER (WHERE a.state = 'granted') AS granted,
               COUNT(*) FILTER (WHERE a.state = 'refused') AS refused,
               COUNT(*) FILTER (WHERE a.state = 'withdrawn') AS withdrawn,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY {days}) FILTER (WHERE {decided}) AS median_days,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY {days}) FILTER (WHERE {decided}) AS p90_days,
               COUNT(*) FILTER (WHERE a.state = ANY(%(open)s)) AS open,
               COUNT(*) FILTER (WHERE a.state = ANY(%(running)s) AND a.decision_due < %(today)s) AS overdue
        FROM {TABLE} a JOIN core_region r ON r.id = a.region_id
        WHERE {" AND ".join(where)}
        GROUP BY 1 ORDER BY {order}
    """
    total_sql = f"""
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {days}) FILTER (WHERE {decided}),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY {days}) FILTER (WHERE {decided})
        FROM {TABLE} a WHERE {" AND ".join(where)}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        names = [c.name for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        cursor.execute(total_sql, args)
        total_median, total_p90 = cursor.fetchone()
    for row in rows:
        row["label"] = _label(group_by, row.pop("key"))
    if rows:
        total = {
            k: sum(r[k] for r in rows)
            for k in ("submitted", "decided", "granted", "refused", "withdrawn", "open", "overdue")
        }
        rows.append({"label": str(_("Total")), **total, "median_days": total_median, "p90_days": total_p90})
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
