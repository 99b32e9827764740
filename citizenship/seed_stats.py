"""A historical admission data set matching the seed speech (Ministry of Internal Affairs, 2010):
736,828 persons admitted to citizenship since independence, 668,293 (90.7%) of them oralmans.

The speech gives only the totals. The split over years, regions and former citizenships is
illustrative: years weighted after the arrival waves (early 1990s and the Nurly kosh years),
regions after where oralmans settled, former citizenships after DOMAIN.md (arrivals up to 2016:
Uzbekistan 61.6%, China 14.2%, Mongolia 9.2%, Turkmenistan 6.8%, Russia 4.6%, others 3.6%).
Every total is apportioned exactly (largest remainder), so the sums are the speech's numbers.
These rows are marked `illustrative`: the reports say on the page that the split is not published.

Later published national totals (DOMAIN.md: citizenship grants 24,120 in 2021, 22,114 in 2022,
26,828 in 2023 of them 20,523 kandas) are carried as they stand (`PUBLISHED_GRANTS`, not
illustrative): no region, no country, the basis "not stated" where the kandas share is not given.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import product

from django.db import transaction

from citizenship.models import HISTORICAL_NOT_STATED, HISTORICAL_OTHER, Basis, HistoricalAdmission
from core.models import Country, Region

SOURCE = "Seed speech of the Ministry of Internal Affairs, 2010 (seed/000_c668f52753413f87.txt); split illustrative"
TOTAL_ADMITTED = 736_828
TOTAL_ORALMANS = 668_293
YEARS = range(1992, 2011)  # independence (16 Dec 1991) until the speech

# Relative weights per year (arrivals were high in 1992-1994 and again from 2005 with Nurly kosh).
YEAR_WEIGHTS = dict(zip(YEARS, [6, 7, 5, 3, 2, 2, 2, 2, 3, 3, 4, 5, 6, 7, 8, 8, 9, 10, 10], strict=True))
# Regions as they were before 2018/2022 (no Abai, Jetisu, Ulytau, Shymkent); Turkistan = South Kazakhstan.
REGION_WEIGHTS = {
    "almaty-region": 14, "turkistan": 14, "mangystau": 10, "astana": 7, "almaty": 7, "karaganda": 6,
    "east-kazakhstan": 6, "jambyl": 6, "pavlodar": 5, "akmola": 5, "kyzylorda": 5,
    "aktobe": 4, "kostanay": 3, "north-kazakhstan": 3, "west-kazakhstan": 3, "atyrau": 3,
}  # fmt: skip
ORALMAN_ORIGINS = {"UZ": 61.6, "CN": 14.2, "MN": 9.2, "TM": 6.8, "RU": 4.6, "TJ": 1.2, "KG": 1.0, "IR": 0.8, "TR": 0.6}
OTHER_BASES = {Basis.FORMER_CITIZEN: 40, Basis.FAMILY_OF_CITIZEN: 30, Basis.BORN_IN_KAZAKHSTAN: 20, Basis.GENERAL: 10}
OTHER_ORIGINS = {"RU": 45, "UZ": 20, "KG": 12, "UA": 8, "BY": 5, "TJ": 5, "DE": 5}


PUBLISHED_SOURCE = "Public reporting of citizenship grants (DOMAIN.md: 2021-2023)"
# (year, basis, count): published national totals; 2023 gives the kandas among them.
PUBLISHED_GRANTS = [
    (2021, HISTORICAL_NOT_STATED, 24_120),
    (2022, HISTORICAL_NOT_STATED, 22_114),
    (2023, Basis.ORALMAN, 20_523),
    (2023, HISTORICAL_OTHER, 26_828 - 20_523),
]


def carry_published_grants() -> int:
    """Write the published national totals of later years (idempotent); returns how many were new."""
    created = 0
    for year, basis, count in PUBLISHED_GRANTS:
        _row, new = HistoricalAdmission.objects.get_or_create(
            year=year, region=None, basis=basis, former_citizenship=None,
            defaults={"count": count, "source": PUBLISHED_SOURCE, "illustrative": False},
        )  # fmt: skip
        created += new
    return created


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` into integers that add up to `total` exactly."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    remainder = total - sum(counts)
    by_fraction = sorted(range(len(shares)), key=lambda i: (shares[i] - counts[i], -i), reverse=True)
    for i in by_fraction[:remainder]:
        counts[i] += 1
    return counts


def _cells(total: int, axes: list[dict]) -> Iterable[tuple[tuple, int]]:
    keys = list(product(*[list(axis) for axis in axes]))
    weights = []
    for key in keys:
        weight = 1.0
        for axis, value in zip(axes, key, strict=True):
            weight *= axis[value]
        weights.append(weight)
    return zip(keys, apportion(total, weights), strict=True)


@transaction.atomic
def seed_historical_admissions(
    *, total: int = TOTAL_ADMITTED, oralmans: int = TOTAL_ORALMANS, replace: bool = True, batch_size: int = 5000
) -> int:
    """Bulk-build the HistoricalAdmission rows (about ten thousand); returns how many were written."""
    regions = {r.code: r for r in Region.objects.filter(code__in=REGION_WEIGHTS)}
    region_weights = {regions[code]: w for code, w in REGION_WEIGHTS.items() if code in regions}
    countries = {c.iso2: c for c in Country.objects.filter(iso2__in=set(ORALMAN_ORIGINS) | set(OTHER_ORIGINS))}
    oralman_origins = {countries[k]: w for k, w in ORALMAN_ORIGINS.items() if k in countries}
    other_origins = {countries[k]: w for k, w in OTHER_ORIGINS.items() if k in countries}
    if replace:
        HistoricalAdmission.objects.filter(year__in=YEARS).delete()
    rows = []
    for (year, region, country), count in _cells(oralmans, [YEAR_WEIGHTS, region_weights, oralman_origins]):
        if count:
            rows.append(HistoricalAdmission(year=year, region=region, basis=Basis.ORALMAN, former_citizenship=country,
                                            count=count, source=SOURCE, illustrative=True))  # fmt: skip
    others = [YEAR_WEIGHTS, region_weights, OTHER_BASES, other_origins]
    for (year, region, basis, country), count in _cells(total - oralmans, others):
        if count:
            rows.append(HistoricalAdmission(year=year, region=region, basis=basis, former_citizenship=country,
                                            count=count, source=SOURCE, illustrative=True))  # fmt: skip
    HistoricalAdmission.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)
