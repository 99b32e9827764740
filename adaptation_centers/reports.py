"""Reports of the centers: occupancy now (per center and per region) and over time, stays,
services by kind and center, outcomes. Every figure is a database aggregate over the centers the
user may see (center staff: their own center; administrators and analysts: all)."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, IntegerField, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from adaptation_centers.models import CenterKind, Outcome, Placement, PlacementOccupant, ServiceRecord
from adaptation_centers.selectors import center_list
from core.models import Region
from core.replica import read_connection
from core.reports import Chart, Column, Report, register
from core.roles import Role

GROUP = _("Adaptation centers")
ROLES = (Role.ADMINISTRATOR, Role.MINISTRY_ANALYST, Role.CENTER_STAFF)


def _lang_field() -> str:
    """name_ru / name_kk / name_en after the active language."""
    lang = (get_language() or "ru")[:2]
    return f"name_{lang if lang in ('ru', 'kk', 'en') else 'ru'}"


def _today():
    return timezone.localdate()


def _year_ago():
    return timezone.localdate() - datetime.timedelta(days=365)


def _value(params, key, default):
    value = params.get(key)
    if callable(value):
        value = value()
    return value or default()


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("from"), required=False, initial=_year_ago)
    date_to = forms.DateField(label=_("to"), required=False, initial=_today)
    region = forms.ModelChoiceField(label=_("region"), queryset=Region.objects.all(), required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start of the period is after its end."))
        if start and end and (end - start).days > 3660:
            raise forms.ValidationError(_("Choose a period of at most ten years."))
        return cleaned


class OverTimeForm(PeriodForm):
    step = forms.ChoiceField(
        label=_("step"), choices=[("month", _("month")), ("week", _("week")), ("day", _("day"))], initial="month",
        required=False,
    )  # fmt: skip


def _centers(user, params):
    qs = center_list(user=user)
    if params.get("region"):
        qs = qs.filter(region=params["region"])
    return qs


# --- Occupancy now ------------------------------------------------------------------------------


def occupancy_now_rows(*, user, params):
    """Per center: beds taken by open stays, residents and overstays now. The residents and the
    overstays are counted once per center over the open stays only (not by joining every stay and
    occupant in history to the centers)."""
    today = timezone.localdate()
    name = _lang_field()
    centers = _centers(user, params)
    occupants = dict(
        PlacementOccupant.objects.filter(checked_out_on__isnull=True, placement__center__in=centers.values("pk"))
        .values("placement__center")
        .annotate(n=Count("id"))
        .values_list("placement__center", "n")
    )
    overstays = dict(
        Placement.objects.filter(
            center__in=centers.values("pk"), checked_out_on__isnull=True, planned_check_out_on__lt=today
        )
        .values("center")
        .annotate(n=Count("id"))
        .values_list("center", "n")
    )
    rows = [
        {**r, "occupants": occupants.get(r["id"], 0), "overstays": overstays.get(r["id"], 0)}
        for r in centers.values("id", name, "region__" + _lang_field(), "kind", "capacity", "beds_taken").order_by(
            "region__name_ru", name
        )
    ]
    kinds = dict(CenterKind.choices)
    return [
        {
            "center": r[name],
            "region": r["region__" + _lang_field()],
            "kind": str(kinds[r["kind"]]),
            "capacity": r["capacity"],
            "beds_taken": r["beds_taken"],
            "free": max(r["capacity"] - r["beds_taken"], 0),
            "occupants": r["occupants"],
            "rate": round(100 * r["beds_taken"] / r["capacity"], 1) if r["capacity"] else 0,
            "overstays": r["overstays"],
        }
        for r in rows
    ]


register(
    Report(
        slug="centers-occupancy",
        title=_("Center occupancy now"),
        description=_("Beds taken by open stays, free beds and overstays, per center."),
        group=GROUP,
        roles=ROLES,
        params_form=PeriodForm,
        columns=[
            Column("center", _("center")),
            Column("region", _("region")),
            Column("kind", _("kind")),
            Column("capacity", _("capacity, beds"), numeric=True),
            Column("beds_taken", _("beds taken"), numeric=True),
            Column("free", _("free beds"), numeric=True),
            Column("occupants", _("residents"), numeric=True),
            Column("rate", _("occupancy, %"), numeric=True),
            Column("overstays", _("overstays"), numeric=True),
        ],
        rows=occupancy_now_rows,
        chart=Chart(label="center", values=["capacity", "beds_taken"]),
    )
)


def occupancy_by_region_rows(*, user, params):
    centers = _centers(user, params)
    field = "region__" + _lang_field()
    rows = (
        centers.order_by()
        .values(field)
        .annotate(
            centers=Count("id", distinct=True),
            capacity=Sum("capacity"),
            taken=Sum("beds_taken"),
        )
        .order_by(field)
    )
    return [
        {
            "region": r[field],
            "centers": r["centers"],
            "capacity": r["capacity"],
            "beds_taken": r["taken"],
            "free": max(r["capacity"] - r["taken"], 0),
            "rate": round(100 * r["taken"] / r["capacity"], 1) if r["capacity"] else 0,
        }
        for r in rows
    ]


register(
    Report(
        slug="centers-occupancy-by-region",
        title=_("Center occupancy by region"),
        group=GROUP,
        roles=ROLES,
        params_form=PeriodForm,
        columns=[
            Column("region", _("region")),
            Column("centers", _("centers"), numeric=True),
            Column("capacity", _("capacity, beds"), numeric=True),
            Column("beds_taken", _("beds taken"), numeric=True),
            Column("free", _("free beds"), numeric=True),
            Column("rate", _("occupancy, %"), numeric=True),
        ],
        rows=occupancy_by_region_rows,
        chart=Chart(label="region", values=["capacity", "beds_taken"]),
    )
)


# --- Occupancy over time ----------------------------------------------------------------------------

OVER_TIME_SQL = """
WITH days AS (
    SELECT generate_series(%(start)s::date, %(end)s::date, interval '1 day')::date AS day
), occ AS (
    -- only the occupants whose stay overlaps the period
    SELECT o.check_in_on, o.checked_out_on
    FROM {occupant} o JOIN {placement} p ON p.id = o.placement_id
    WHERE p.center_id = ANY(%(centers)s)
      AND o.check_in_on <= %(end)s::date
      AND (o.checked_out_on IS NULL OR o.checked_out_on > %(start)s::date)
), deltas AS (
    -- +1 the night the stay starts (or the period's first), -1 the day of leaving
    SELECT greatest(check_in_on, %(start)s::date) AS day, 1 AS d FROM occ
    UNION ALL
    SELECT checked_out_on, -1 FROM occ WHERE checked_out_on <= %(end)s::date
), per_day AS (
    SELECT day, sum(d) AS d FROM deltas GROUP BY day
), daily AS (
    SELECT days.day, (sum(coalesce(per_day.d, 0)) OVER (ORDER BY days.day))::bigint AS residents
    FROM days LEFT JOIN per_day ON per_day.day = days.day
)
SELECT date_trunc(%(step)s, day)::date AS period, round(avg(residents), 1) AS average, max(residents) AS peak
FROM daily GROUP BY 1 ORDER BY 1
"""


def occupancy_over_time_rows(*, user, params):
    """Residents per night (occupants whose stay covers the night), averaged and peaked per step.
    Counted as a running sum of arrivals and departures over only the stays overlapping the period
    (not each night joined to every occupant in history)."""
    start = _value(params, "date_from", _year_ago)
    end = _value(params, "date_to", _today)
    step = params.get("step") or "month"
    if step not in ("day", "week", "month"):
        step = "month"
    centers = list(_centers(user, params).values_list("id", flat=True))
    capacity = _centers(user, params).order_by().aggregate(n=Coalesce(Sum("capacity"), 0))["n"]
    sql = OVER_TIME_SQL.format(occupant=PlacementOccupant._meta.db_table, placement=Placement._meta.db_table)
    with read_connection().cursor() as cursor:
        cursor.execute(sql, {"start": start, "end": end, "centers": centers, "step": step})
        rows = cursor.fetchall()
    return [
        {"period": period.isoformat(), "average": float(avg), "peak": peak, "capacity": capacity}
        for period, avg, peak in rows
    ]


register(
    Report(
        slug="centers-occupancy-over-time",
        title=_("Center occupancy over time"),
        description=_("Residents per night in the centers you see: average and peak per period, against the beds."),
        group=GROUP,
        roles=ROLES,
        params_form=OverTimeForm,
        columns=[
            Column("period", _("period")),
            Column("average", _("residents, average per night"), numeric=True),
            Column("peak", _("residents, peak"), numeric=True),
            Column("capacity", _("capacity, beds"), numeric=True),
        ],
        rows=occupancy_over_time_rows,
        chart=Chart(label="period", values=["average", "peak"]),
    )
)


# --- Stays --------------------------------------------------------------------------------------


def stays_rows(*, user, params):
    """Stays ended in the period: how many, average and longest length in nights; plus the
    longest stay still open today."""
    start = _value(params, "date_from", _year_ago)
    end = _value(params, "date_to", _today)
    today = timezone.localdate()
    length = ExpressionWrapper(
        F("placements__checked_out_on") - F("placements__check_in_on"), output_field=DurationField()
    )
    ended = Q(placements__checked_out_on__range=(start, end))
    open_ = Q(placements__checked_out_on__isnull=True)
    name = _lang_field()
    rows = (
        _centers(user, params)
        .annotate(
            ended=Count("placements", filter=ended),
            average=Avg(length, filter=ended),
            longest=Max(length, filter=ended),
            first_open=Max(
                ExpressionWrapper(today - F("placements__check_in_on"), output_field=DurationField()), filter=open_
            ),
            extended=Count("placements__extensions", filter=ended, distinct=True),
        )
        .values("id", name, "ended", "average", "longest", "first_open", "extended")
        .order_by(name)
    )

    def days(value):
        return round(value.total_seconds() / 86400, 1) if value is not None else None

    return [
        {
            "center": r[name],
            "ended": r["ended"],
            "average_nights": days(r["average"]),
            "longest_nights": days(r["longest"]),
            "longest_open_nights": days(r["first_open"]),
            "extensions": r["extended"],
        }
        for r in rows
    ]


register(
    Report(
        slug="centers-stays",
        title=_("Length of stays"),
        description=_("Stays ended in the period: count, average and longest length in nights."),
        group=GROUP,
        roles=ROLES,
        params_form=PeriodForm,
        columns=[
            Column("center", _("center")),
            Column("ended", _("stays ended"), numeric=True),
            Column("average_nights", _("average, nights"), numeric=True),
            Column("longest_nights", _("longest, nights"), numeric=True),
            Column("longest_open_nights", _("longest still staying, nights"), numeric=True),
            Column("extensions", _("extensions"), numeric=True),
        ],
        rows=stays_rows,
        chart=Chart(label="center", values=["average_nights", "longest_nights"]),
    )
)


# --- Services and outcomes -------------------------------------------------------------------------


def _services(user, params):
    start = _value(params, "date_from", _year_ago)
    end = _value(params, "date_to", _today)
    return ServiceRecord.objects.filter(center__in=_centers(user, params).values("pk"), given_on__range=(start, end))


def services_rows(*, user, params):
    kind, center = "kind__" + _lang_field(), "center__" + _lang_field()
    rows = (
        _services(user, params)
        .values(kind, center)
        .annotate(records=Count("id"), persons=Count("person", distinct=True), hours=Sum("hours"))
        .order_by(center, "-records", kind)
    )
    return [
        {
            "kind": r[kind],
            "center": r[center],
            "records": r["records"],
            "persons": r["persons"],
            "hours": float(r["hours"] or 0),
        }
        for r in rows
    ]


register(
    Report(
        slug="centers-services",
        title=_("Services given by kind and center"),
        group=GROUP,
        roles=ROLES,
        params_form=PeriodForm,
        columns=[
            Column("center", _("center")),
            Column("kind", _("kind of service")),
            Column("records", _("services"), numeric=True),
            Column("persons", _("persons"), numeric=True),
            Column("hours", _("hours"), numeric=True),
        ],
        rows=services_rows,
        chart=Chart(label="kind", values=["records", "persons"]),
    )
)


def outcomes_rows(*, user, params):
    """Outcomes recorded with services, and stays that ended in own or rented housing."""
    start = _value(params, "date_from", _year_ago)
    end = _value(params, "date_to", _today)
    name = _lang_field()
    services = _services(user, params)

    counted = (Outcome.EMPLOYMENT_FOUND, Outcome.LANGUAGE_LEVEL, Outcome.HOUSING_FOUND, Outcome.DOCUMENTS_OBTAINED)
    persons = {
        (r["center"], r["outcome"]): r["n"]
        for r in services.filter(outcome__in=counted)
        .order_by()
        .values("center", "outcome")
        .annotate(n=Count("person", distinct=True))
    }  # the period's services only, grouped once (not every service in history joined to the centers)
    rows = [
        {
            **r,
            "employment": persons.get((r["id"], Outcome.EMPLOYMENT_FOUND), 0),
            "language": persons.get((r["id"], Outcome.LANGUAGE_LEVEL), 0),
            "housing": persons.get((r["id"], Outcome.HOUSING_FOUND), 0),
            "documents": persons.get((r["id"], Outcome.DOCUMENTS_OBTAINED), 0),
        }
        for r in _centers(user, params).values("id", name).order_by(name)
    ]
    moved = dict(
        Placement.objects.filter(
            center__in=[r["id"] for r in rows], check_out_reason="housing", checked_out_on__range=(start, end)
        )
        .values("center")
        .annotate(n=Coalesce(Sum("beds"), 0, output_field=IntegerField()))
        .values_list("center", "n")
    )
    return [
        {
            "center": r[name],
            "employment_found": r["employment"],
            "language_level": r["language"],
            "housing_found": r["housing"],
            "documents_obtained": r["documents"],
            "moved_out_to_housing": moved.get(r["id"], 0),
        }
        for r in rows
    ]


register(
    Report(
        slug="centers-outcomes",
        title=_("Outcomes of the centers' services"),
        description=_("Persons with each outcome in the period (employment found, language level reached, ...)."),
        group=GROUP,
        roles=ROLES,
        params_form=PeriodForm,
        columns=[
            Column("center", _("center")),
            Column("employment_found", _("employment found"), numeric=True),
            Column("language_level", _("language level reached"), numeric=True),
            Column("housing_found", _("moved to housing"), numeric=True),
            Column("documents_obtained", _("documents obtained"), numeric=True),
            Column("moved_out_to_housing", _("beds freed by moves to housing"), numeric=True),
        ],
        rows=outcomes_rows,
        chart=Chart(label="center", values=["employment_found", "language_level"]),
    )
)
