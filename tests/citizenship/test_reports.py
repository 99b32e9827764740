import datetime

import pytest
from django.urls import reverse

from citizenship.models import Basis, CitizenshipApplication, CitizenshipRefusalGround, HistoricalAdmission
from citizenship.seed_stats import apportion, seed_historical_admissions
from core.reports import REPORTS
from tests.citizenship import factories as f
from tests.factories import PersonFactory


@pytest.fixture(autouse=True)
def _no_migrated_counts(db):
    """These tests build their own figures; the migration's carried 2021-2023 counts are tested
    in test_law.py."""
    HistoricalAdmission.objects.all().delete()


def _rows(slug, user, **params):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in params.items():
        data[key] = value
    form, rows = REPORTS[slug].build(user=user, data=data if params else None)
    assert not form.is_bound or form.is_valid(), form.errors
    return rows


def test_apportion_keeps_the_exact_total():
    assert sum(apportion(668_293, [61.6, 14.2, 9.2, 6.8, 4.6, 3.6])) == 668_293
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]


def test_the_seed_data_set_reports_736828_admitted_and_907_percent_oralmans(db, analyst, django_assert_max_num_queries):
    written = seed_historical_admissions()
    assert written == HistoricalAdmission.objects.count() > 5000
    with django_assert_max_num_queries(2):
        share = _rows("citizenship-oralman-share", analyst)
    last = share[-1]
    assert last["year"] == "2010"
    assert last["cumulative_admitted"] == 736_828
    assert last["cumulative_oralmans"] == 668_293
    assert last["cumulative_share"] == 90.7
    assert min(r["admitted"] for r in share) > 0
    by_year = _rows("citizenship-admissions", analyst, group_by="year")
    assert by_year[-1] == {
        "label": "Итого", "admitted": 736_828, "oralmans": 668_293, "basis_unknown": 0, "share": 90.7,
        "figures": "иллюстративно, не опубликовано",
    }  # fmt: skip
    by_basis = {r["label"]: r["admitted"] for r in _rows("citizenship-admissions", analyst, group_by="basis")}
    assert by_basis[str(Basis.ORALMAN.label)] == 668_293
    by_country = _rows("citizenship-admissions", analyst, group_by="former_citizenship")
    assert by_country[0]["label"] == "Узбекистан"
    assert sum(r["admitted"] for r in by_country[:-1]) == 736_828


def test_the_report_adds_individual_grants_to_the_historical_counts(db, analyst, caseworker):
    HistoricalAdmission.objects.create(year=2010, basis=Basis.ORALMAN, count=9, region=caseworker.region)
    granted = f.application(state="granted")
    f.application(state="refused")
    year = str(granted.registration_date.year)
    rows = {r["year"]: r for r in _rows("citizenship-oralman-share", analyst)}
    assert rows["2010"]["admitted"] == 9
    assert rows[year]["admitted"] == 1 and rows[year]["oralmans"] == 1
    assert rows[year]["cumulative_admitted"] == 10


def test_caseworkers_see_their_region_only_in_the_figures(db, caseworker, analyst, other_region):
    HistoricalAdmission.objects.create(year=2005, basis=Basis.ORALMAN, count=7, region=caseworker.region)
    HistoricalAdmission.objects.create(year=2005, basis=Basis.GENERAL, count=3, region=other_region)
    assert _rows("citizenship-admissions", analyst, group_by="region")[-1]["admitted"] == 10
    assert _rows("citizenship-admissions", caseworker, group_by="region")[-1]["admitted"] == 7
    assert _rows("citizenship-admissions", analyst, region=str(other_region.pk))[-1]["admitted"] == 3


def test_processing_time_gives_median_and_90th_percentile_against_the_deadline(db, analyst):
    ground = CitizenshipRefusalGround.objects.get(code="expelled")
    start = datetime.date(2024, 1, 1)
    for i, days in enumerate([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]):
        CitizenshipApplication.objects.create(
            person=PersonFactory(), basis=Basis.GENERAL, region_id=PersonFactory._meta.model.objects.first().region_id,
            state="refused", refusal_ground=ground, submitted_on=start + datetime.timedelta(days=i),
            decided_on=start + datetime.timedelta(days=i + days), decision_due=start + datetime.timedelta(days=i + 91),
        )  # fmt: skip
    rows = _rows("citizenship-processing-time", analyst)
    year, total = rows[0], rows[-1]
    assert year["year"] == "2024" and total["year"] == "Все годы"
    assert (total["decided"], total["median_days"], total["p90_days"]) == (10, 55.0, 91.0)
    assert total["deadline_days"] == 91.0
    assert total["late"] == 1 and total["on_time_share"] == 90.0


def test_reports_download_as_csv_and_xlsx_and_answer_in_the_api(client, analyst, db):
    HistoricalAdmission.objects.create(year=2001, basis=Basis.ORALMAN, count=5)
    client.force_login(analyst)
    csv = client.get(reverse("reports:page", args=["citizenship-oralman-share"]) + "?format=csv")
    assert csv.status_code == 200 and "2001" in csv.content.decode("utf-8-sig")
    xlsx = client.get(reverse("reports:page", args=["citizenship-admissions"]) + "?group_by=basis&format=xlsx")
    assert xlsx.content[:2] == b"PK"
    page = client.get(reverse("reports:page", args=["citizenship-oralman-share"]))
    assert b"<svg" in page.content
    api = client.get("/api/v1/reports/citizenship-admissions/?group_by=year")
    assert api.status_code == 200
    assert api.json()["rows"][-1]["admitted"] == 5


@pytest.mark.parametrize("slug", ["citizenship-admissions", "citizenship-oralman-share", "citizenship-processing-time"])
def test_report_queries_stay_constant_with_more_data(db, analyst, slug, django_assert_max_num_queries):
    seed_historical_admissions(total=1000, oralmans=900)
    with django_assert_max_num_queries(2):
        _rows(slug, analyst)
    seed_historical_admissions()
    with django_assert_max_num_queries(2):
        _rows(slug, analyst)


def test_the_seed_split_is_labelled_illustrative_not_published(db, analyst):
    seed_historical_admissions(total=1000, oralmans=900)
    assert not HistoricalAdmission.objects.filter(illustrative=False).exists()
    share = _rows("citizenship-oralman-share", analyst)
    assert all(r["figures"] == "иллюстративно, не опубликовано" for r in share)
    assert "иллюстративное" in str(REPORTS["citizenship-oralman-share"].description)
    by_region = _rows("citizenship-admissions", analyst, group_by="region")
    assert all("иллюстративно" in r["figures"] for r in by_region)


def test_the_cumulative_series_lists_the_years_without_figures(db, analyst):
    seed_historical_admissions(total=1000, oralmans=900)
    HistoricalAdmission.objects.create(year=2021, basis="not_stated", count=24_120, source="published")
    HistoricalAdmission.objects.create(year=2023, basis=Basis.ORALMAN, count=20_523, source="published")
    HistoricalAdmission.objects.create(year=2023, basis="other", count=6_305, source="published")
    rows = {r["year"]: r for r in _rows("citizenship-oralman-share", analyst)}
    assert [str(y) for y in range(1992, 2024)] == list(rows)  # 2011-2020 and 2022 are there, not skipped
    assert rows["2015"]["admitted"] is None and rows["2015"]["figures"] == "нет данных"
    assert rows["2015"]["cumulative_admitted"] == 1000 and rows["2015"]["years_without_figures"] == 5
    assert rows["2021"]["oralmans"] is None and rows["2021"]["share"] is None  # the basis is not stated
    assert rows["2021"]["basis_unknown"] == 24_120 and rows["2021"]["figures"] == "опубликованное число"
    assert rows["2023"]["share"] == 76.5  # 20,523 of 26,828
    assert rows["2023"]["cumulative_admitted"] == 1000 + 24_120 + 26_828
    assert rows["2023"]["cumulative_share"] == round(100 * (900 + 20_523) / (1000 + 26_828), 1)
    assert rows["2023"]["years_without_figures"] == 11


# --- The processing-time histogram (issue 16) -------------------------------------------------

_RAW_PROCESSING_SQL = """
    SELECT EXTRACT(YEAR FROM a.decided_on)::int AS year, COUNT(*) AS decided,
           COUNT(*) FILTER (WHERE a.state = 'granted') AS granted,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY a.decided_on - a.submitted_on) AS median_days,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY a.decided_on - a.submitted_on) AS p90_days,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY a.decision_due - a.submitted_on) AS deadline_days,
           COUNT(*) FILTER (WHERE a.decided_on > a.decision_due) AS late
    FROM citizenship_citizenshipapplication a
    WHERE a.state IN ('granted', 'refused') {where}
    GROUP BY ROLLUP (1) ORDER BY 1 NULLS LAST
"""


def _raw_processing_rows(where="", args=()):
    """The report as it was computed before the histogram: percentile_cont over every application."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_RAW_PROCESSING_SQL.format(where=where), list(args))
        rows = cursor.fetchall()
    return [
        (row[0], row[1], row[2], *(round(float(v), 1) if v is not None else None for v in row[3:6]), row[6])
        for row in rows
    ]


def _report_as_tuples(rows):
    return [
        (None if r["year"] == "Все годы" else int(r["year"]), r["decided"], r["granted"], r["median_days"],
         r["p90_days"], r["deadline_days"], r["late"])
        for r in rows
    ]  # fmt: skip


def test_the_processing_time_histogram_gives_what_percentile_cont_over_every_application_gives(
    db, analyst, caseworker, other_region
):
    """Random decisions over three years and two regions, then changes of every kind (a decision
    revised, a date corrected, an application deleted): the report read from the trigger-kept
    histogram equals percentile_cont over the applications, for the analyst, a caseworker's region,
    a basis and a year range."""
    import random

    from citizenship.models import ProcessingTimeCount

    rng = random.Random(16)
    ground = CitizenshipRefusalGround.objects.get(code="expelled")
    apps = []

    def registration(person, on):
        return {"registering_body": "УМС", "registration_number": str(person.pk), "registration_date": on,
                "iin_assigned": f.free_iin(person)}  # fmt: skip

    for i in range(60):
        person = PersonFactory()
        submitted = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randrange(900))
        decided = submitted + datetime.timedelta(days=rng.randrange(20, 200))
        refused = i < 8 or rng.random() < 0.3
        apps.append(
            CitizenshipApplication.objects.create(
                person=person, basis=rng.choice([Basis.ORALMAN, Basis.GENERAL]),
                region=rng.choice([caseworker.region, other_region]), state="refused" if refused else "granted",
                refusal_ground=ground if refused else None, submitted_on=submitted, decided_on=decided,
                decision_due=submitted + datetime.timedelta(days=rng.choice([90, 91, 120])),
                **({} if refused else registration(person, decided)),
            )
        )  # fmt: skip
    open_app = f.application(state="under_review")  # not decided: not counted
    CitizenshipApplication.objects.filter(pk=apps[0].pk).update(
        state="granted", refusal_ground=None, **registration(apps[0].person, apps[0].decided_on)
    )
    CitizenshipApplication.objects.filter(pk=apps[1].pk).update(
        decided_on=apps[1].decided_on + datetime.timedelta(days=400)
    )
    CitizenshipApplication.objects.filter(pk=apps[2].pk).update(
        submitted_on=apps[2].submitted_on - datetime.timedelta(days=3)
    )
    CitizenshipApplication.objects.filter(pk=apps[3].pk).update(
        state="under_review", decided_on=None, refusal_ground=None
    )
    CitizenshipApplication.objects.filter(pk=apps[4].pk).update(region=other_region, basis=Basis.GENERAL)
    CitizenshipApplication.objects.filter(pk__in=[apps[5].pk, apps[6].pk]).delete()
    CitizenshipApplication.objects.filter(pk=open_app.pk).update(
        decision_due=open_app.submitted_on + datetime.timedelta(days=100)
    )

    assert _report_as_tuples(_rows("citizenship-processing-time", analyst)) == _raw_processing_rows()
    assert _report_as_tuples(_rows("citizenship-processing-time", caseworker)) == _raw_processing_rows(
        "AND a.region_id = %s", [caseworker.region_id]
    )
    assert _report_as_tuples(
        _rows("citizenship-processing-time", analyst, basis=Basis.GENERAL, year_from=2024, year_to=2024)
    ) == _raw_processing_rows("AND a.basis = %s AND EXTRACT(YEAR FROM a.decided_on) = 2024", [Basis.GENERAL])

    # The rebuild (after a bulk load with the triggers off) gives the same histogram.
    kept = sorted(ProcessingTimeCount.objects.filter(n__gt=0).values_list("year", "region_id", "basis", "granted", "days", "deadline_days", "late", "n"))  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT rebuild_processing_time_counts()")
    assert sorted(ProcessingTimeCount.objects.values_list("year", "region_id", "basis", "granted", "days", "deadline_days", "late", "n")) == kept  # fmt: skip


def test_the_processing_time_report_is_empty_as_the_aggregate_is(db, analyst):
    rows = _rows("citizenship-processing-time", analyst)
    assert _report_as_tuples(rows) == _raw_processing_rows() == [(None, 0, 0, None, None, None, 0)]


@pytest.mark.parametrize("values", [[5], [1, 2], [3, 3, 3, 9], list(range(0, 101, 7)), [4, 1, 1, 8, 8, 8, 2]])
def test_percentile_cont_over_counts_is_postgresqls(db, values):
    from collections import Counter

    from django.db import connection

    from citizenship.reports import percentile_cont

    histogram = sorted(Counter(values).items())
    for fraction in (0.5, 0.9, 0.25):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY v) FROM unnest(%s::int[]) v", [fraction, values]
            )
            assert percentile_cont(histogram, fraction) == pytest.approx(cursor.fetchone()[0])
