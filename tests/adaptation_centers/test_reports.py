import datetime

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from adaptation_centers.services import placement_check_out, placement_extend, service_record_log
from core.reports import REPORTS
from tests.adaptation_centers.factories import CenterFactory, family_of, kind, referred_check_in, staff_of
from tests.factories import PersonFactory, region

pytestmark = pytest.mark.django_db
ALMATY = datetime.timezone(datetime.timedelta(hours=5))
D = datetime.date


def _on(day):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=ALMATY), tick=False)


@pytest.fixture
def history(center):
    """Uralsk (20 beds, West Kazakhstan) and a small Pavlodar center; stays through spring 2026."""
    center.region = region("west-kazakhstan") if _has("west-kazakhstan") else center.region
    center.save()
    small = CenterFactory(name_ru="ЦАИ Павлодар", capacity=4)
    with _on(D(2026, 3, 1)):
        family = referred_check_in(center=center, family=family_of(3), actor=None)  # 3 residents from 1 March
        single = referred_check_in(center=small, person=PersonFactory(), actor=None)
    with _on(D(2026, 3, 11)):
        placement_check_out(placement=single, actor=None, reason="housing")  # 10 nights
        service_record_log(
            center=center, kind=kind("language-kazakh"), persons=[o.person for o in family.occupants.all()], actor=None,
            hours=2, outcome="language_level", language_level="A2",
        )  # fmt: skip
        service_record_log(
            center=center, kind=kind("employment-help"), persons=[family.person], actor=None, outcome="employment_found"
        )
    with _on(D(2026, 3, 21)):
        placement_check_out(placement=family, actor=None, reason="housing")  # 20 nights
    with _on(D(2026, 4, 1)):
        open_stay = referred_check_in(center=center, person=PersonFactory(), actor=None)
        placement_extend(placement=open_stay, until=D(2026, 12, 1), reason="ждёт квоту", actor=None)
    return {"uralsk": center, "small": small}


def _has(code):
    from core.models import Region

    return Region.objects.filter(code=code).exists()


def rows(slug, user, **params):
    with _on(D(2026, 4, 10)):
        form, result = REPORTS[slug].build(user=user, data=params or None)
    assert not form.errors
    return result


def test_occupancy_now_per_center(history, administrator):
    result = {r["center"]: r for r in rows("centers-occupancy", administrator)}
    uralsk = result[history["uralsk"].name_ru]
    assert (uralsk["capacity"], uralsk["beds_taken"], uralsk["free"], uralsk["occupants"]) == (20, 1, 19, 1)
    assert uralsk["rate"] == 5.0
    assert result["ЦАИ Павлодар"]["beds_taken"] == 0


def test_occupancy_by_region_sums_the_centers(history, administrator):
    total = rows("centers-occupancy-by-region", administrator)
    assert sum(r["capacity"] for r in total) == 24
    assert sum(r["beds_taken"] for r in total) == 1


def test_occupancy_over_time_counts_residents_per_night(history, administrator):
    daily = {
        r["period"]: r
        for r in rows(
            "centers-occupancy-over-time", administrator, date_from="2026-03-01", date_to="2026-03-31", step="day"
        )
    }
    assert daily["2026-03-01"]["peak"] == 4  # family of 3 + the single man
    assert daily["2026-03-10"]["peak"] == 4
    assert daily["2026-03-11"]["peak"] == 3  # he left on the 11th
    assert daily["2026-03-21"]["peak"] == 0
    monthly = rows(
        "centers-occupancy-over-time", administrator, date_from="2026-03-01", date_to="2026-04-30", step="month"
    )
    assert [(r["period"], r["peak"]) for r in monthly] == [("2026-03-01", 4), ("2026-04-01", 1)]
    assert monthly[0]["average"] == round((4 * 10 + 3 * 10) / 31, 1)


def test_occupancy_over_time_equals_counting_each_night(history, administrator):
    """The running sum of arrivals and departures gives, every night, the occupants whose stay
    covers it, also for a period starting in the middle of stays."""
    from adaptation_centers.models import PlacementOccupant

    start, end = D(2026, 3, 5), D(2026, 4, 12)
    daily = {
        r["period"]: r["peak"]
        for r in rows(
            "centers-occupancy-over-time", administrator, date_from=start.isoformat(), date_to=end.isoformat(),
            step="day",
        )
    }  # fmt: skip
    stays = list(PlacementOccupant.objects.values_list("check_in_on", "checked_out_on"))
    expected = {}
    day = start
    while day <= end:
        expected[day.isoformat()] = sum(1 for i, o in stays if i <= day and (o is None or o > day))
        day += datetime.timedelta(days=1)
    assert daily == expected
    assert set(expected.values()) == {0, 1, 3, 4}


def test_stays_report_gives_average_and_longest(history, administrator):
    result = {
        r["center"]: r for r in rows("centers-stays", administrator, date_from="2026-01-01", date_to="2026-04-10")
    }
    assert result["ЦАИ Павлодар"]["average_nights"] == 10.0
    uralsk = result[history["uralsk"].name_ru]
    assert (uralsk["ended"], uralsk["longest_nights"], uralsk["longest_open_nights"]) == (1, 20.0, 9.0)


def test_services_by_kind_and_center(history, administrator):
    result = {
        r["kind"]: r for r in rows("centers-services", administrator, date_from="2026-01-01", date_to="2026-04-10")
    }
    assert (result["Курсы казахского языка"]["records"], result["Курсы казахского языка"]["hours"]) == (3, 6.0)
    assert result["Содействие в трудоустройстве"]["persons"] == 1


def test_outcomes_count_persons(history, administrator):
    result = {
        r["center"]: r for r in rows("centers-outcomes", administrator, date_from="2026-01-01", date_to="2026-04-10")
    }
    uralsk = result[history["uralsk"].name_ru]
    assert (uralsk["employment_found"], uralsk["language_level"], uralsk["moved_out_to_housing"]) == (1, 3, 3)
    assert result["ЦАИ Павлодар"]["moved_out_to_housing"] == 1


def test_outcomes_count_only_the_periods_services(history, administrator):
    result = {
        r["center"]: r for r in rows("centers-outcomes", administrator, date_from="2026-03-12", date_to="2026-04-10")
    }
    uralsk = result[history["uralsk"].name_ru]
    assert (uralsk["employment_found"], uralsk["language_level"], uralsk["moved_out_to_housing"]) == (0, 0, 3)


def test_occupancy_now_counts_overstays_per_center(history, administrator):
    with _on(D(2026, 12, 10)):  # the open stay was extended until 1 December
        form, result = REPORTS["centers-occupancy"].build(user=administrator, data=None)
    by_center = {r["center"]: r for r in result}
    assert by_center[history["uralsk"].name_ru]["overstays"] == 1
    assert by_center[history["uralsk"].name_ru]["occupants"] == 1
    assert by_center["ЦАИ Павлодар"]["overstays"] == 0


def test_center_staff_see_only_their_centers_figures(history, center_staff):
    staff_of(history["small"], center_staff)
    assert [r["center"] for r in rows("centers-occupancy", center_staff)] == ["ЦАИ Павлодар"]


def test_caseworkers_have_no_center_reports(caseworker):
    assert not REPORTS["centers-occupancy"].allowed(caseworker)


def test_an_inverted_period_is_refused(administrator):
    form, result = REPORTS["centers-stays"].build(
        user=administrator, data={"date_from": "2026-05-01", "date_to": "2026-01-01"}
    )
    assert form.errors and result == []


@pytest.mark.parametrize(
    "slug",
    ["centers-occupancy", "centers-occupancy-over-time", "centers-stays", "centers-services", "centers-outcomes"],
)
def test_report_pages_show_a_chart_and_download_csv_and_xlsx(client, history, analyst, slug):
    client.force_login(analyst)
    url = reverse("reports:page", args=[slug])
    with _on(D(2026, 4, 10)):
        page = client.get(url, {"date_from": "2026-01-01", "date_to": "2026-04-10"})
        assert page.status_code == 200
        assert "<svg" in page.content.decode()
        csv = client.get(url, {"date_from": "2026-01-01", "date_to": "2026-04-10", "format": "csv"})
        xlsx = client.get(url, {"date_from": "2026-01-01", "date_to": "2026-04-10", "format": "xlsx"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row >= 2


def test_reports_over_the_api(history, analyst):
    client = APIClient()
    client.force_authenticate(analyst)
    with _on(D(2026, 4, 10)):
        body = client.get("/api/v1/reports/centers-occupancy/").json()
    assert {c["key"] for c in body["columns"]} >= {"capacity", "beds_taken", "free"}
    assert sum(r["capacity"] for r in body["rows"]) == 24
