"""The decision deadline in working days by Kazakhstan's calendar, and overdue applications."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import CalendarOverride
from core.workdays import add_working_days, clear_overrides_cache, is_working_day, working_days_between
from oralman import services
from oralman.models import ApplicationState, StatusRule
from tests.oralman.conftest import perform

S = ApplicationState
D = datetime.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 3, 20), True),  # Friday before Nauryz
        (D(2026, 3, 21), False),  # Nauryz (Saturday)
        (D(2026, 3, 23), False),  # Nauryz
        (D(2026, 3, 24), False),  # Nauryz, moved day off
        (D(2026, 3, 25), False),  # Nauryz, moved day off
        (D(2026, 3, 26), True),
        (D(2026, 1, 1), False),  # New Year
        (D(2026, 1, 2), False),  # New Year
        (D(2026, 1, 7), False),  # Orthodox Christmas
        (D(2026, 1, 5), True),
        (D(2025, 12, 16), False),  # Independence Day
        (D(2026, 3, 14), False),  # an ordinary Saturday
    ],
)
@pytest.mark.django_db
def test_the_kazakh_calendar_knows_holidays_and_weekends(day, working):
    assert is_working_day(day) is working


@pytest.mark.django_db
def test_working_days_are_counted_after_the_start_day():
    assert add_working_days(D(2026, 3, 16), 1) == D(2026, 3, 17)
    assert working_days_between(D(2026, 3, 20), D(2026, 4, 1)) == 5
    assert working_days_between(D(2026, 4, 1), D(2026, 3, 20)) == 0


@pytest.fixture
def five_day_rule(db):
    """The 2011 length (5 working days) in force from 2025-12-01, to test the calendar on 2026 dates."""
    return StatusRule.objects.create(valid_from=D(2025, 12, 1), decision_working_days=5)


@pytest.mark.django_db
@pytest.mark.usefixtures("five_day_rule")
@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        # Friday 20 March 2026, right before Nauryz (21-25 March): 26, 27, 30, 31 March, 1 April.
        (D(2026, 3, 20), D(2026, 4, 1)),
        # New Year's Eve 2025: 5, 6, 8, 9, 12 January (1-2 and 7 January are holidays).
        (D(2025, 12, 31), D(2026, 1, 12)),
        # An ordinary Monday: five working days later is the next Monday.
        (D(2026, 2, 2), D(2026, 2, 9)),
    ],
)
def test_submission_sets_the_decision_deadline_in_kazakh_working_days(make_application, submitted, due):
    application = make_application(S.SUBMITTED, today=submitted)
    assert application.submitted_on == submitted
    assert application.clock_started_on == submitted
    assert application.decision_due == due


@pytest.mark.django_db
@pytest.mark.usefixtures("five_day_rule")
def test_a_return_stops_the_clock_and_resubmission_restarts_it(make_application, caseworker):
    application = make_application(S.SUBMITTED, today=D(2026, 3, 2))
    assert application.decision_due == D(2026, 3, 10)  # 9 March is the observed Women's Day

    perform(application, S.RETURNED, actor=caseworker)
    application.refresh_from_db()
    assert application.decision_due is None
    assert not application.is_overdue(today=D(2026, 5, 1)), "a returned application is never overdue"

    services.application_submit(application=application, actor=caseworker, today=D(2026, 3, 20))
    application.refresh_from_db()
    assert application.submitted_on == D(2026, 3, 2), "the first submission date is kept"
    assert application.clock_started_on == D(2026, 3, 20)
    assert application.decision_due == D(2026, 4, 1)
    assert application.transitions.last().reason, "a resubmission says so"


@pytest.mark.django_db
def test_the_deadline_follows_the_rule_in_force_on_the_submission_day(make_application):
    StatusRule.objects.create(valid_from=D(2026, 1, 1), decision_working_days=10)
    old = make_application(S.SUBMITTED, today=D(2025, 12, 1))
    new = make_application(S.SUBMITTED, today=D(2026, 2, 2))
    assert old.decision_due == add_working_days(D(2025, 12, 1), 30)
    assert new.decision_due == add_working_days(D(2026, 2, 2), 10)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("submitted", "days", "due"),
    [
        (D(2015, 3, 2), 5, D(2015, 3, 10)),  # 2011 rules: 5 working days (9 March 2015 the moved Women's Day)
        (D(2021, 8, 31), 5, D(2021, 9, 7)),  # the last day of the 2011 rules
        (D(2021, 9, 1), 4, D(2021, 9, 7)),  # "one application" reform from 1 September 2021: 4 working days
        (D(2024, 3, 20), 4, D(2024, 3, 29)),  # across Nauryz 2024
        (D(2025, 8, 1), 30, D(2025, 9, 15)),  # Government Corporation, August 2025: 30 working days
        (D(2026, 3, 20), 30, D(2026, 5, 8)),  # October 2025 rules: still 30, with the commission step
    ],
)
def test_the_dated_deadline_rules_of_2011_2021_and_2025_apply_by_the_clock_start(
    make_application, submitted, days, due
):
    assert services.status_rule_on(submitted).decision_working_days == days
    application = make_application(S.SUBMITTED, today=submitted)
    assert application.decision_due == due


@pytest.mark.django_db
def test_every_dated_rule_names_its_source():
    rules = list(StatusRule.objects.order_by("valid_from"))
    assert [r.valid_from for r in rules] == [D(2011, 7, 22), D(2021, 9, 1), D(2025, 8, 1), D(2025, 10, 1)]
    assert all(r.legal_basis for r in rules)
    assert [r.commission_working_days for r in rules] == [None, None, None, 3]


@pytest.mark.django_db
def test_an_added_day_off_moves_the_deadline(make_application, five_day_rule):
    # Monday 2 February 2026 + 5 working days is Monday 9 February; a decree making Friday 6
    # February a day off moves the deadline to Tuesday 10 February.
    CalendarOverride.objects.create(day=D(2026, 2, 6), kind=CalendarOverride.Kind.DAY_OFF, decree="test decree")
    assert not is_working_day(D(2026, 2, 6))
    application = make_application(S.SUBMITTED, today=D(2026, 2, 2))
    assert application.decision_due == D(2026, 2, 10)


@pytest.mark.django_db
def test_an_added_working_day_counts_and_removing_the_override_restores_the_package_calendar():
    saturday = D(2026, 2, 7)
    assert not is_working_day(saturday)
    override = CalendarOverride.objects.create(day=saturday, kind=CalendarOverride.Kind.WORKING_DAY, decree="d")
    assert is_working_day(saturday)
    assert add_working_days(D(2026, 2, 6), 1) == saturday
    override.delete()
    assert not is_working_day(saturday)


@pytest.mark.django_db
def test_the_calendar_reads_the_override_table_once_while_the_cache_lasts(django_assert_num_queries):
    clear_overrides_cache()
    with django_assert_num_queries(1):
        add_working_days(D(2026, 1, 1), 40)


@pytest.mark.django_db
def test_without_rules_in_force_submission_is_refused_with_a_message(make_application, caseworker):
    application = make_application(S.DRAFT)
    from core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        services.application_submit(application=application, actor=caseworker, today=D(2001, 1, 10))
    assert "2001-01-10" in str(exc.value.message)
    application.refresh_from_db()
    assert application.state == S.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "due_offset", "overdue"),
    [
        (S.SUBMITTED, -1, True),
        (S.UNDER_REVIEW, -10, True),
        (S.SUBMITTED, 0, False),  # due today is not yet overdue
        (S.UNDER_REVIEW, 3, False),
        (S.GRANTED, -10, False),  # decided cases are never overdue
        (S.REFUSED, -10, False),
        (S.WITHDRAWN, -10, False),
    ],
)
def test_an_open_application_past_its_deadline_is_overdue(make_application, state, due_offset, overdue):
    application = make_application(state)
    today = timezone.localdate()
    application.decision_due = today + datetime.timedelta(days=due_offset)
    assert application.is_overdue(today=today) is overdue


def _with_due(make_application, state, offset_days):
    application = make_application(state)
    due = timezone.localdate() + datetime.timedelta(days=offset_days)
    type(application).objects.filter(pk=application.pk).update(clock_started_on=due, decision_due=due)
    return application


@pytest.mark.django_db
def test_the_admin_overdue_filter_lists_only_open_applications_past_their_deadline(
    client, caseworker, make_application
):
    late = _with_due(make_application, S.SUBMITTED, -3)
    late_review = _with_due(make_application, S.UNDER_REVIEW, -1)
    due_today = _with_due(make_application, S.SUBMITTED, 0)
    on_time = _with_due(make_application, S.UNDER_REVIEW, 4)
    _with_due(make_application, S.GRANTED, -9)
    client.force_login(caseworker)
    url = reverse("admin:oralman_statusapplication_changelist")

    response = client.get(url, {"deadline": "overdue"})
    assert response.status_code == 200
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert shown == {late.pk, late_review.pk}

    shown_today = {obj.pk for obj in client.get(url, {"deadline": "due_today"}).context["cl"].result_list}
    assert shown_today == {due_today.pk}
    shown_on_time = {obj.pk for obj in client.get(url, {"deadline": "on_time"}).context["cl"].result_list}
    assert shown_on_time == {on_time.pk}


@pytest.mark.django_db
def test_the_admin_list_marks_overdue_rows(client, caseworker, make_application):
    _with_due(make_application, S.SUBMITTED, -3)
    client.force_login(caseworker)
    response = client.get(reverse("admin:oralman_statusapplication_changelist"))
    assert "просрочено" in response.content.decode()


@pytest.mark.django_db
def test_the_api_overdue_filter_and_flag(api, caseworker, make_application):
    late = _with_due(make_application, S.SUBMITTED, -3)
    on_time = _with_due(make_application, S.SUBMITTED, 2)
    client = api(caseworker)

    overdue = client.get("/api/v1/status-applications/", {"overdue": "true"}).json()["results"]
    assert [row["id"] for row in overdue] == [late.pk]
    assert overdue[0]["overdue"] is True
    not_overdue = client.get("/api/v1/status-applications/", {"overdue": "false"}).json()["results"]
    assert [row["id"] for row in not_overdue] == [on_time.pk]
    assert not_overdue[0]["overdue"] is False
