"""The ministry's citizenship figures, each computed by one SQL aggregate in PostgreSQL.

Admissions = individual grants recorded in this system (CitizenshipApplication, state granted,
counted in the year of registration) UNION ALL the historical counts (HistoricalAdmission). A person
counts as an oralman admission when the basis is the simplified procedure for kandas (oralmans).

Honesty rules (DOMAIN.md "Seed figures"): every row says where its figures come from (records in
this system, published counts, or an illustrative split of a published total); a count whose basis
is not stated is shown apart and left out of the oralman share; the per-year series has a row for
every year from the first to the last, a year without figures included, and the cumulative columns
say how many years so far had no figures.
"""

from __future__ import annotations

import math

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from citizenship.models import (
    HISTORICAL_BASIS_CHOICES,
    HISTORICAL_NOT_STATED,
    Basis,
    CitizenshipApplication,
    HistoricalAdmission,
    ProcessingTimeCount,
)
from core.models import Region
from core.replica import read_connection
from core.reports import Chart, Column, Report, register
from core.roles import Role, role_of

APPLICATIONS = CitizenshipApplication._meta.db_table
HISTORY = HistoricalAdmission._meta.db_table
GROUPINGS = {
    "year": _("year"),
    "region": _("region"),
    "basis": _("basis"),
    "former_citizenship": _("former citizenship"),
}


class AdmissionParams(forms.Form):
    group_by = forms.ChoiceField(label=_("Group by"), choices=list(GROUPINGS.items()), initial="year", required=False)
    year_from = forms.IntegerField(label=_("From year"), min_value=1991, max_value=2100, required=False)
    year_to = forms.IntegerField(label=_("To year"), min_value=1991, max_value=2100, required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("year_from") and cleaned.get("year_to") and cleaned["year_from"] > cleaned["year_to"]:
            raise forms.ValidationError(_("The first year is after the last one."))
        return cleaned


def _name_column(alias: str) -> str:
    lang = (get_language() or "ru")[:2]
    return f"{alias}.name_{lang if lang in ('ru', 'kk', 'en') else 'ru'}"


def _region_scope(user, params) -> int | None:
    """The region the figures are limited to: a caseworker's own, else the chosen one (if any)."""
    if role_of(user) == Role.CASEWORKER:
        return user.region_id or -1
    region = params.get("region")
    return region.pk if region else None


def _admissions_cte(user, params) -> tuple[str, list]:
    filters_app, filters_hist, args_app, args_hist = [], [], [], []
    region_id = _region_scope(user, params)
    if region_id is not None:
        filters_app.append("a.region_id = %s")
        filters_hist.append("h.region_id = %s")
        args_app.append(region_id)
        args_hist.append(region_id)
    for key, op in (("year_from", ">="), ("year_to", "<=")):
        if params.get(key):
            filters_app.append(f"EXTRACT(YEAR FROM a.registration_date)::int {op} %s")
            filters_hist.append(f"h.year {op} %s")
            args_app.append(params[key])
            args_hist.append(params[key])
    where_app = "".join(f" AND {f}" for f in filters_app)
    where_hist = " AND ".join(filters_hist) or "TRUE"
    sql = f"""
        WITH admissions AS (
            SELECT EXTRACT(YEAR FROM a.registration_date)::int AS year, a.region_id, a.basis,
                   a.former_citizenship_id, COUNT(*)::bigint AS n, 'record' AS kind
            FROM {APPLICATIONS} a
            WHERE a.state = 'granted'{where_app}
            GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT h.year, h.region_id, h.basis, h.former_citizenship_id, h.count::bigint,
                   CASE WHEN h.illustrative THEN 'illustrative' ELSE 'published' END
            FROM {HISTORY} h
            WHERE {where_hist}
        )
    """
    return sql, args_app + args_hist


def _fetch(sql: str, args: list) -> list[dict]:
    with read_connection().cursor() as cursor:
        cursor.execute(sql, args)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _share(part, whole):
    return round(100.0 * float(part) / float(whole), 1) if whole and part is not None else None


FIGURE_KINDS = {
    "record": _("records in this system"),
    "published": _("published count"),
    "illustrative": _("illustrative, not published"),
}

# Per group: admitted, oralmans among those whose basis is known, admitted whose basis is not stated,
# and the kinds of figures that went into the group.
_AGGREGATES = """
    SUM(adm.n)::bigint AS admitted,
    COALESCE(SUM(adm.n) FILTER (WHERE adm.basis = %(oralman)s), 0)::bigint AS oralmans,
    COALESCE(SUM(adm.n) FILTER (WHERE adm.basis = %(not_stated)s), 0)::bigint AS basis_unknown,
    array_agg(DISTINCT adm.kind) AS kinds
"""


def _figures(kinds) -> str:
    return "; ".join(str(FIGURE_KINDS[k]) for k in FIGURE_KINDS if k in (kinds or [])) or str(_("no figures"))


def _finish(row: dict) -> None:
    """Oralmans and their share only where the basis is known (None when it is not known at all)."""
    known = (row["admitted"] or 0) - (row["basis_unknown"] or 0)
    if row["admitted"] is not None and known <= 0:
        row["oralmans"] = None
    row["share"] = _share(row["oralmans"], known)
    row["figures"] = _figures(row.pop("kinds", None))


def _named(sql: str, args: list, extra: dict) -> tuple[str, dict]:
    """The admissions CTE takes positional arguments; name them so the aggregates can add theirs."""
    names = {f"a{i}": value for i, value in enumerate(args)}
    for i in range(len(args)):
        sql = sql.replace("%s", f"%(a{i})s", 1)
    return sql, {**names, **extra}


BASIS_ARGS = {"oralman": Basis.ORALMAN, "not_stated": HISTORICAL_NOT_STATED}


def admission_rows(*, user, params) -> list[dict]:
    """Admitted persons and oralmans among them, grouped by year, region, basis or former citizenship."""
    group_by = params.get("group_by") or "year"
    cte, args = _admissions_cte(user, params)
    key = {
        "year": ("adm.year::text", "adm.year", "adm.year"),
        "region": (_name_column("r"), "adm.region_id", "admitted DESC"),
        "basis": ("adm.basis", "adm.basis", "admitted DESC"),
        "former_citizenship": (_name_column("c"), "adm.former_citizenship_id", "admitted DESC"),
    }[group_by]
    label, group_key, order = key
    sql, named = _named(cte, args, BASIS_ARGS)
    sql = f"""{sql}
        SELECT {label} AS label, {_AGGREGATES}
        FROM admissions adm
        LEFT JOIN core_region r ON r.id = adm.region_id
        LEFT JOIN core_country c ON c.id = adm.former_citizenship_id
        GROUP BY {group_key}, {label}
        ORDER BY {order}, 1
    """
    rows = _fetch(sql, named)
    labels = dict(HISTORICAL_BASIS_CHOICES)
    kinds = set()
    for row in rows:
        kinds.update(row["kinds"] or [])
        if group_by == "basis":
            row["label"] = str(labels.get(row["label"], row["label"]))
        elif row["label"] is None:
            row["label"] = str(_("not stated"))
        _finish(row)
    total = {
        "label": str(_("Total")),
        "admitted": sum(r["admitted"] for r in rows),
        "oralmans": sum(r["oralmans"] or 0 for r in rows),
        "basis_unknown": sum(r["basis_unknown"] for r in rows),
        "kinds": sorted(kinds),
    }
    _finish(total)
    rows.append(total)
    return rows


def oralman_share_rows(*, user, params) -> list[dict]:
    """Per year and cumulatively: all admissions, oralmans among them, and their share.

    Every year from the first to the last appears, a year without figures too (its cumulative
    figures carry the sum so far and `years_without_figures` counts the gap), so the cumulative
    series never silently skips years (DOMAIN.md: the seed gives 1992-2010, the public reports
    2021-2023)."""
    cte, args = _admissions_cte(user, params)
    sql, named = _named(cte, args, BASIS_ARGS)
    sql = f"""{sql}
        , per_year AS (
            SELECT adm.year, {_AGGREGATES}
            FROM admissions adm GROUP BY adm.year
        )
        SELECT y.year, p.admitted, p.oralmans, p.basis_unknown, p.kinds,
               SUM(p.admitted) OVER w AS cumulative_admitted,
               SUM(p.oralmans) OVER w AS cumulative_oralmans,
               SUM(p.basis_unknown) OVER w AS cumulative_basis_unknown,
               COUNT(*) FILTER (WHERE p.year IS NULL) OVER w AS years_without_figures
        FROM generate_series((SELECT MIN(year) FROM per_year), (SELECT MAX(year) FROM per_year)) AS y(year)
        LEFT JOIN per_year p ON p.year = y.year
        WINDOW w AS (ORDER BY y.year)
        ORDER BY y.year
    """
    rows = _fetch(sql, named)
    for row in rows:
        row["year"] = str(row["year"])
        _finish(row)
        for key in ("cumulative_admitted", "cumulative_oralmans", "cumulative_basis_unknown"):
            row[key] = int(row[key] or 0)
        known = row["cumulative_admitted"] - row.pop("cumulative_basis_unknown")
        row["cumulative_share"] = _share(row["cumulative_oralmans"], known)
    return rows


class ProcessingParams(forms.Form):
    year_from = forms.IntegerField(label=_("From year"), min_value=1991, max_value=2100, required=False)
    year_to = forms.IntegerField(label=_("To year"), min_value=1991, max_value=2100, required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)
    basis = forms.ChoiceField(label=_("Basis"), choices=[("", "—"), *Basis.choices], required=False)


def percentile_cont(histogram: list[tuple[int, int]], fraction: float) -> float | None:
    """PostgreSQL's ``percentile_cont(fraction)`` over values given as sorted (value, count) pairs:
    the same interpolation between the two neighbouring positions, so the result is the same."""
    total = sum(count for _value, count in histogram)
    if total == 0:
        return None
    position = fraction * (total - 1)
    first, second = math.floor(position), math.ceil(position)

    def value_at(index: int) -> int:
        seen = 0
        for value, count in histogram:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)

    low, high = value_at(first), value_at(second)
    return low + (high - low) * (position - first) if second != first else float(low)


def processing_time_rows(*, user, params) -> list[dict]:
    """Days from submission to decision per year of decision (median, 90th percentile) against
    the legal deadline; the last row covers every year.

    Read from the histogram ``ProcessingTimeCount`` (kept by a trigger, always current) instead of
    every decided application: a few thousand rows, whatever the history's length (issue 16)."""
    filters, args = ["n > 0"], []
    region_id = _region_scope(user, params)
    if region_id is not None:
        filters.append("region_id = %s")
        args.append(region_id)
    if params.get("basis"):
        filters.append("basis = %s")
        args.append(params["basis"])
    for key, op in (("year_from", ">="), ("year_to", "<=")):
        if params.get(key):
            filters.append(f"year {op} %s")
            args.append(params[key])
    sql = f"""
        SELECT year, granted, late, days, deadline_days, SUM(n)::bigint AS n
        FROM {ProcessingTimeCount._meta.db_table}
        WHERE {" AND ".join(filters)}
        GROUP BY 1, 2, 3, 4, 5
    """
    per_year: dict = {}
    with read_connection().cursor() as cursor:
        cursor.execute(sql, args)
        for year, granted, late, days, deadline_days, n in cursor.fetchall():
            for key in (year, _ALL_YEARS):
                group = per_year.setdefault(key, {"decided": 0, "granted": 0, "late": 0, "days": {}, "deadline": {}})
                group["decided"] += n
                group["granted"] += n if granted else 0
                group["late"] += n if late else 0
                if days is not None:
                    group["days"][days] = group["days"].get(days, 0) + n
                if deadline_days is not None:
                    group["deadline"][deadline_days] = group["deadline"].get(deadline_days, 0) + n
    if not per_year:
        # As the aggregate over no rows: one "all years" row of zeros.
        per_year[_ALL_YEARS] = {"decided": 0, "granted": 0, "late": 0, "days": {}, "deadline": {}}
    rows = []
    years = sorted((k for k in per_year if k is not _ALL_YEARS), key=lambda y: (y is None, y))
    for key in [*years, _ALL_YEARS]:
        group = per_year[key]
        days, deadline = sorted(group["days"].items()), sorted(group["deadline"].items())
        row = {
            "year": str(_("All years")) if key is _ALL_YEARS else ("—" if key is None else str(key)),
            "decided": group["decided"],
            "granted": group["granted"],
            "median_days": percentile_cont(days, 0.5),
            "p90_days": percentile_cont(days, 0.9),
            "deadline_days": percentile_cont(deadline, 0.5),
            "late": group["late"],
        }
        for name in ("median_days", "p90_days", "deadline_days"):
            row[name] = round(float(row[name]), 1) if row[name] is not None else None
        row["on_time_share"] = _share(row["decided"] - row["late"], row["decided"])
        rows.append(row)
    return rows


_ALL_YEARS = object()


register(
    Report(
        slug="citizenship-admissions",
        title=_("Admissions to citizenship"),
        description=_(
            "Persons admitted to citizenship by year, region, basis or former citizenship, and the oralmans "
            "(kandas, simplified procedure) among them: grants recorded in this system plus historical counts. "
            "The seed speech gives totals only (736,828 admitted until 2010, 668,293 of them oralmans): their "
            "split by year, region and country is illustrative, not published, as the column “Figures” says. "
            "Counts whose basis is not stated are left out of the oralman share."
        ),
        columns=[
            Column("label", _("Group")),
            Column("admitted", _("Admitted"), numeric=True),
            Column("oralmans", _("Of them oralmans (kandas)"), numeric=True),
            Column("basis_unknown", _("Of them basis not stated"), numeric=True),
            Column("share", _("Oralman share, %"), numeric=True),
            Column("figures", _("Figures")),
        ],
        rows=admission_rows,
        params_form=AdmissionParams,
        chart=Chart(label="label", values=["admitted", "oralmans"], total_last=True),
        group=_("Citizenship"),
    )
)
register(
    Report(
        slug="citizenship-oralman-share",
        title=_("Share of oralmans among admissions to citizenship"),
        description=_(
            "Per year and cumulatively since independence. The seed speech gives totals only (736,828 admitted "
            "until 2010, 668,293 of them oralmans): the split of 1992-2010 by year is illustrative, not published, "
            "so every one of those years shows the same share. Years without figures are listed, not skipped: the "
            "cumulative columns then sum the known years only, and the last column counts the years missing."
        ),
        columns=[
            Column("year", _("Year")),
            Column("admitted", _("Admitted"), numeric=True),
            Column("oralmans", _("Of them oralmans (kandas)"), numeric=True),
            Column("basis_unknown", _("Of them basis not stated"), numeric=True),
            Column("share", _("Oralman share, %"), numeric=True),
            Column("cumulative_admitted", _("Admitted, cumulative"), numeric=True),
            Column("cumulative_oralmans", _("Oralmans, cumulative"), numeric=True),
            Column("cumulative_share", _("Oralman share cumulative, %"), numeric=True),
            Column("years_without_figures", _("Years without figures so far"), numeric=True),
            Column("figures", _("Figures")),
        ],
        rows=oralman_share_rows,
        params_form=AdmissionParams,
        chart=Chart(label="year", values=["share", "cumulative_share"]),
        group=_("Citizenship"),
    )
)
register(
    Report(
        slug="citizenship-processing-time",
        title=_("Citizenship processing time against the legal deadline"),
        description=_("Days from submission to decision: median and 90th percentile, per year of decision."),
        columns=[
            Column("year", _("Year of decision")),
            Column("decided", _("Decided"), numeric=True),
            Column("granted", _("Granted"), numeric=True),
            Column("median_days", _("Median, days"), numeric=True),
            Column("p90_days", _("90th percentile, days"), numeric=True),
            Column("deadline_days", _("Legal deadline, days"), numeric=True),
            Column("late", _("Decided after the deadline"), numeric=True),
            Column("on_time_share", _("On time, %"), numeric=True),
        ],
        rows=processing_time_rows,
        params_form=ProcessingParams,
        chart=Chart(label="year", values=["median_days", "p90_days", "deadline_days"]),
        group=_("Citizenship"),
    )
)
