"""Figures for the ministry, computed by the database (aggregates), never by looping over requests.

Each function returns a list of plain dicts, one per row of the report (a region, a category, a
country); the rendering (admin page with chart, CSV/XLSX, API, export job) is in `quotas.report_views`.
"""

from __future__ import annotations

from django import forms
from django.db.models import Count, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.reports import Chart, Column, Report, register
from quotas.models import QuotaRequest, QuotaYear, RegionalQuota, RequestState

R = RequestState


def _places(state: str):
    return Coalesce(Sum("requests__places", filter=Q(requests__state=state)), Value(0), output_field=IntegerField())


def _families(state: str):
    return Count("requests", filter=Q(requests__state=state))


def quota_use_by_region(*, quota_year_id: int) -> list[dict]:
    """Share, allocated, settled, waitlisted and remaining places per region of a year."""
    rows = (
        RegionalQuota.objects.filter(quota_year_id=quota_year_id)
        .annotate(
            allocated_places=_places(R.ALLOCATED),
            settled_places=_places(R.SETTLED),
            waitlisted_places=_places(R.WAITLISTED),
            pending_places=_places(R.PENDING),
            allocated_families=_families(R.ALLOCATED),
            settled_families=_families(R.SETTLED),
            waitlisted_families=_families(R.WAITLISTED),
            remaining=F("places") - F("used"),
        )
        .order_by("-places", "region__code")
        .values(
            "region_id", "region__code", "region__name_ru", "region__name_kk", "region__name_en", "places",
            "allocated_places", "settled_places", "waitlisted_places", "pending_places", "allocated_families",
            "settled_families", "waitlisted_families", "remaining",
        )
    )  # fmt: skip
    return list(rows)


QUOTA_USE_SQL = """
SELECT q.region_id, g.code, g.name_ru, g.name_kk, g.name_en, q.places,
       COALESCE(SUM(r.places) FILTER (WHERE r.state = 'allocated'), 0),
       COALESCE(SUM(r.places) FILTER (WHERE r.state = 'settled'), 0),
       COALESCE(SUM(r.places) FILTER (WHERE r.state = 'waitlisted'), 0),
       COALESCE(SUM(r.places) FILTER (WHERE r.state = 'pending'), 0),
       COUNT(r.id) FILTER (WHERE r.state = 'allocated'),
       COUNT(r.id) FILTER (WHERE r.state = 'settled'),
       COUNT(r.id) FILTER (WHERE r.state = 'waitlisted'),
       q.places - q.used
FROM quotas_regionalquota q
JOIN core_region g ON g.id = q.region_id
LEFT JOIN quotas_quotarequest r ON r.quota_year_id = q.quota_year_id AND r.region_id = q.region_id
WHERE q.quota_year_id = %s
GROUP BY q.id, g.id
ORDER BY q.places DESC, g.code
"""


def quota_use_by_category(*, quota_year_id: int) -> list[dict]:
    """Requests and places per deciding category (as recorded by the runs; undecided requests apart)."""
    rows = (
        QuotaRequest.objects.filter(quota_year_id=quota_year_id)
        .values("deciding_category_id", "deciding_category__rank", "deciding_category__code",
                "deciding_category__name_ru", "deciding_category__name_kk", "deciding_category__name_en")
        .annotate(
            requests=Count("id"),
            allocated_places=Coalesce(Sum("places", filter=Q(state=R.ALLOCATED)), 0),
            settled_places=Coalesce(Sum("places", filter=Q(state=R.SETTLED)), 0),
            waitlisted_places=Coalesce(Sum("places", filter=Q(state=R.WAITLISTED)), 0),
            pending_places=Coalesce(Sum("places", filter=Q(state=R.PENDING)), 0),
        )
        .order_by(F("deciding_category__rank").asc(nulls_last=True))
    )  # fmt: skip
    return list(rows)


def arrivals_by_country(*, quota_year_id: int | None = None) -> list[dict]:
    """Families and persons settled under the quota, by the head of family's country of origin."""
    qs = QuotaRequest.objects.filter(state=R.SETTLED)
    if quota_year_id:
        qs = qs.filter(quota_year_id=quota_year_id)
    rows = (
        qs.values("family__head__country_of_origin__iso2", "family__head__country_of_origin__name_ru",
                  "family__head__country_of_origin__name_kk", "family__head__country_of_origin__name_en")
        .annotate(families=Count("id"), persons=Coalesce(Sum("members_count"), 0))
        .order_by("-persons", "family__head__country_of_origin__iso2")
    )  # fmt: skip
    return list(rows)


# --- Registration: admin pages (/admin/reports/<slug>/), CSV/XLSX, API, background export -----


class QuotaYearParams(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, help_text=_("Empty: the latest open year."))

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year and not QuotaYear.objects.filter(year=year).exists():
            raise forms.ValidationError(_("No quota is recorded for %(year)s.") % {"year": year})
        return year


def _year_id(params) -> int | None:
    year = (params or {}).get("year")
    qs = QuotaYear.objects.filter(year=year) if year else QuotaYear.objects.filter(is_open=True).order_by("-year")
    return qs.values_list("pk", flat=True).first()


def _localized(row: dict, prefix: str) -> str:
    lang = (get_language() or "ru")[:2]
    return row.get(f"{prefix}name_{lang}") or row.get(f"{prefix}name_ru") or ""


def quota_use_rows(*, user, params) -> list[dict]:
    year_id = _year_id(params)
    if year_id is None:
        return []
    rows = quota_use_by_region(quota_year_id=year_id)
    for row in rows:
        row["region"] = _localized(row, "region__")
        row["share_percent"] = round(100 * (row["allocated_places"] + row["settled_places"]) / row["places"], 1)
    return rows


def category_rows(*, user, params) -> list[dict]:
    year_id = _year_id(params)
    if year_id is None:
        return []
    rows = quota_use_by_category(quota_year_id=year_id)
    for row in rows:
        row["category"] = (
            _localized(row, "deciding_category__")
            if row["deciding_category_id"]
            else str(_("no priority category, or not decided yet"))
        )
    return rows


def country_rows(*, user, params) -> list[dict]:
    year = (params or {}).get("year")
    year_id = QuotaYear.objects.filter(year=year).values_list("pk", flat=True).first() if year else None
    rows = arrivals_by_country(quota_year_id=year_id)
    for row in rows:
        row["country"] = _localized(row, "family__head__country_of_origin__")
    return rows


register(
    Report(
        slug="quota-use",
        title=_("Quota use by region"),
        description=_(
            "Places of each region's share: allocated, settled, waitlisted and remaining (in the year's unit)."
        ),
        columns=[
            Column("region", _("Region")),
            Column("places", _("Share"), numeric=True),
            Column("allocated_places", _("Allocated"), numeric=True),
            Column("settled_places", _("Settled"), numeric=True),
            Column("waitlisted_places", _("Waitlisted"), numeric=True),
            Column("pending_places", _("Pending"), numeric=True),
            Column("remaining", _("Remaining"), numeric=True),
            Column("share_percent", _("Used, %"), numeric=True),
            Column("allocated_families", _("Families allocated"), numeric=True),
            Column("waitlisted_families", _("Families waitlisted"), numeric=True),
        ],
        rows=quota_use_rows,
        params_form=QuotaYearParams,
        chart=Chart(label="region", values=["places", "allocated_places", "settled_places", "waitlisted_places"]),
        group=_("Immigration quota"),
    )
)
register(
    Report(
        slug="quota-by-category",
        title=_("Quota use by priority category"),
        description=_("Requests and places by the category that decided them."),
        columns=[
            Column("category", _("Priority category")),
            Column("requests", _("Requests"), numeric=True),
            Column("allocated_places", _("Allocated"), numeric=True),
            Column("settled_places", _("Settled"), numeric=True),
            Column("waitlisted_places", _("Waitlisted"), numeric=True),
            Column("pending_places", _("Pending"), numeric=True),
        ],
        rows=category_rows,
        params_form=QuotaYearParams,
        chart=Chart(label="category", values=["allocated_places", "waitlisted_places"]),
        group=_("Immigration quota"),
    )
)
register(
    Report(
        slug="quota-arrivals-by-country",
        title=_("Quota arrivals by country of origin"),
        description=_("Families settled under the quota and their members, by the head of family's country of origin."),
        columns=[
            Column("country", _("Country of origin")),
            Column("families", _("Families"), numeric=True),
            Column("persons", _("Persons"), numeric=True),
        ],
        rows=country_rows,
        params_form=QuotaYearParams,
        chart=Chart(label="country", values=["persons", "families"]),
        group=_("Immigration quota"),
    )
)
