"""The status-caseload report, with known numbers."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from oralman.models import RefusalGround
from oralman.reports import caseload_rows
from tests.factories import PersonFactory, StatusApplicationFactory, region

TODAY = datetime.date(2026, 6, 15)


def application(state, submitted, decided=None, due=None, where="pavlodar"):
    extra = {}
    if state == "refused":
        extra["refusal_ground"] = RefusalGround.objects.get(code="false-documents")
    return StatusApplicationFactory(
        applicant=PersonFactory(region=region(where)), state=state, submitted_on=submitted, decided_on=decided,
        clock_started_on=submitted, decision_due=due, complete=False, **extra,
    )  # fmt: skip


@pytest.fixture
def caseload(db):
    d = datetime.date
    # January: 4 submitted; 2 granted after 5 and 15 days, 1 refused after 10, 1 still under review, overdue.
    application("granted", d(2026, 1, 5), d(2026, 1, 10))
    application("granted", d(2026, 1, 10), d(2026, 1, 25))
    application("refused", d(2026, 1, 12), d(2026, 1, 22))
    application("under_review", d(2026, 1, 20), due=d(2026, 1, 27))
    # February, Akmola: 1 granted after 30 days, 1 returned (open, its clock stopped: not overdue).
    application("granted", d(2026, 2, 1), d(2026, 3, 3), where="akmola")
    application("returned", d(2026, 2, 2), due=d(2026, 2, 9), where="akmola")
    application("draft", None)  # never submitted: not counted


def by_label(rows):
    return {r["label"]: r for r in rows}


def test_rows_by_month(caseload, analyst):
    rows = by_label(caseload_rows(user=analyst, params={"group_by": "month"}, today=TODAY))
    january, february, total = rows["01.2026"], rows["02.2026"], rows["Итого"]
    assert (january["submitted"], january["decided"], january["granted"], january["refused"]) == (4, 3, 2, 1)
    assert (january["grant_rate"], january["refusal_rate"]) == (66.7, 33.3)
    assert january["median_days"] == 10.0 and january["p90_days"] == 14.0  # 5, 10, 15
    assert (january["open"], january["overdue"]) == (1, 1)
    assert (february["submitted"], february["open"], february["overdue"]) == (2, 1, 0)
    assert (total["submitted"], total["decided"], total["median_days"]) == (6, 4, 12.5)  # 5, 10, 15, 30


def test_overdue_by_region(caseload, analyst):
    rows = by_label(caseload_rows(user=analyst, params={"group_by": "region"}, today=TODAY))
    pavlodar = next(r for label, r in rows.items() if "Павлодар" in label)
    assert (pavlodar["submitted"], pavlodar["overdue"]) == (4, 1)


def test_a_caseworker_sees_their_region_only(caseload, other_caseworker):
    rows = caseload_rows(user=other_caseworker, params={"group_by": "year"}, today=TODAY)
    assert rows[0]["submitted"] == 2  # Akmola


def test_the_period_filter(caseload, analyst):
    params = {"group_by": "quarter", "date_from": datetime.date(2026, 2, 1), "date_to": None}
    rows = caseload_rows(user=analyst, params=params, today=TODAY)
    assert rows[0]["label"] == "1 кв. 2026" and rows[0]["submitted"] == 2


def test_the_report_page_and_its_downloads(client, caseload, analyst):
    client.force_login(analyst)
    url = reverse("reports:page", args=["status-caseload"])
    assert client.get(url).status_code == 200
    csv = client.get(url, {"format": "csv", "group_by": "year"})
    assert csv.status_code == 200 and "2026" in csv.content.decode("utf-8-sig")
    xlsx = client.get(url, {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_chart_leaves_the_total_out_and_the_table_and_csv_keep_it(client, caseload, analyst):
    """The total's bars (the sum of the others) would squeeze every other bar to a sliver."""
    client.force_login(analyst)
    url = reverse("reports:page", args=["status-caseload"])
    page = client.get(url, {"group_by": "month"})
    chart = page.context["chart"]
    assert [g["full"] for g in chart["groups"]] == ["01.2026", "02.2026"]
    assert [row[0][0] for row in page.context["rows"]][-1] == "Итого"
    # January's 4 submitted span the whole plot (800 - 260 - 60 px): the total's 6 no longer sets the scale.
    assert chart["groups"][0]["bars"][0]["w"] == 480
    assert "Итого" in client.get(url, {"format": "csv", "group_by": "month"}).content.decode("utf-8-sig")


@pytest.mark.django_db
def test_the_percentiles_from_counts_are_postgresqls_percentile_cont():
    """The report sums a histogram of days per period in Python; its percentiles must be exactly
    PostgreSQL's percentile_cont over the same values."""
    import random

    from django.db import connection

    from oralman.reports import percentile_cont

    rng = random.Random(16)
    for size in (1, 2, 3, 10, 101, 1000):
        values = [rng.choice([0, 1, 5, 30, 31, 90, 400]) + rng.randint(0, 3) for _ in range(size)]
        histogram: dict[int, int] = {}
        for value in values:
            histogram[value] = histogram.get(value, 0) + 1
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), percentile_cont(0.9) WITHIN GROUP (ORDER BY v)"
                " FROM unnest(%s::int[]) v",
                [values],
            )
            median, p90 = cursor.fetchone()
        assert (percentile_cont(histogram, 0.5), percentile_cont(histogram, 0.9)) == pytest.approx((median, p90))
    assert percentile_cont({}, 0.5) is None
