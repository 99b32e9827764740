"""The daily job around date boundaries, with a frozen clock."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from adaptation_centers.models import PlacementAlert
from adaptation_centers.services import placement_extend, placement_flag_checkouts
from adaptation_centers.tasks import flag_checkouts_task
from tests.adaptation_centers.conftest import user_with_role
from tests.adaptation_centers.factories import referred_check_in, staff_of
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
ALMATY = datetime.timezone(datetime.timedelta(hours=5))


def _at(day: datetime.date, hour: int = 9, minute: int = 0):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ALMATY), tick=False)


@pytest.fixture
def stay(center, clerk):
    with _at(datetime.date(2026, 3, 1)):
        placement = referred_check_in(
            center=center, person=PersonFactory(), actor=clerk, planned_check_out_on=datetime.date(2026, 5, 10)
        )
    return placement


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 5, 2), []),  # 8 days before: not yet
        (datetime.date(2026, 5, 3), ["center.checkout_approaching"]),  # 7 days before
        (datetime.date(2026, 5, 10), ["center.checkout_approaching"]),  # the planned day itself
        (datetime.date(2026, 5, 11), ["center.overstay"]),  # the day after: overstay
    ],
)
def test_the_job_flags_at_the_right_day(stay, notices, day, expected):
    with _at(day):
        placement_flag_checkouts()
    assert [n["event"] for n in notices] == expected


def test_the_local_date_counts_not_utc(stay, notices):
    # 00:30 in Almaty on 3 May is still 2 May in UTC: the warning is due by the local date.
    with _at(datetime.date(2026, 5, 3), hour=0, minute=30):
        flag_checkouts_task()
    assert [n["event"] for n in notices] == ["center.checkout_approaching"]


def test_the_approaching_notice_goes_to_the_person_once(stay, notices):
    for day in (3, 4, 5):
        with _at(datetime.date(2026, 5, day)):
            placement_flag_checkouts()
            placement_flag_checkouts()
    assert len(notices) == 1
    assert notices[0]["person"] == stay.person
    assert notices[0]["key"] == f"placement-{stay.pk}-checkout_approaching-2026-05-10"
    assert PlacementAlert.objects.filter(placement=stay).count() == 1


def test_the_overstay_notice_goes_to_every_staff_user_of_the_center(stay, clerk, notices):
    second = user_with_role("center_staff", username="second_clerk")
    staff_of(stay.center, second)
    with _at(datetime.date(2026, 5, 12)):
        result = placement_flag_checkouts()
        placement_flag_checkouts()
    assert result.overstays == 1
    assert {n["user"] for n in notices} == {clerk, second}
    assert {n["event"] for n in notices} == {"center.overstay"}
    assert len({n["key"] for n in notices}) == 2


def test_an_extension_warns_again_for_the_new_date(stay, clerk, notices):
    with _at(datetime.date(2026, 5, 5)):
        placement_flag_checkouts()
        placement_extend(placement=stay, until=datetime.date(2026, 6, 10), reason="ждёт жильё", actor=clerk)
        placement_flag_checkouts()
    with _at(datetime.date(2026, 6, 4)):
        placement_flag_checkouts()
    assert [n["key"][-10:] for n in notices] == ["2026-05-10", "2026-06-10"]


def test_ended_stays_are_not_flagged(stay, clerk, notices):
    from adaptation_centers.services import placement_check_out

    with _at(datetime.date(2026, 5, 9)):
        placement_check_out(placement=stay, actor=clerk, reason="housing")
        placement_flag_checkouts()
    assert notices == []


def test_the_task_takes_a_day_and_reports_counts(stay, notices):
    assert flag_checkouts_task("2026-05-20") == {"approaching": 0, "overstays": 1}
    assert flag_checkouts_task("2026-05-20") == {"approaching": 0, "overstays": 0}


def test_the_daily_job_is_in_the_beat_schedule():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="adaptation_centers.tasks.flag_checkouts_task")
    assert task.enabled and task.crontab.hour == "6"


@pytest.mark.django_db(transaction=True)
def test_the_task_runs_on_a_real_worker(celery_worker_thread, center, clerk, notices):
    today = timezone.localdate()
    placement = referred_check_in(
        center=center, person=PersonFactory(), actor=clerk, check_in_on=today - datetime.timedelta(days=3),
        planned_check_out_on=today + datetime.timedelta(days=2),
    )  # fmt: skip
    result = flag_checkouts_task.delay().get(timeout=30)
    assert result == {"approaching": 1, "overstays": 0}
    assert PlacementAlert.objects.filter(placement=placement, kind="checkout_approaching").exists()


def test_the_notices_land_in_the_outbox_once_in_the_recipients_language(center, clerk):
    from notifications.models import Notification

    clerk.preferred_language = "kk"
    clerk.email = "clerk@example.kz"
    clerk.save()
    with _at(datetime.date(2026, 3, 1)):
        person = PersonFactory(email="resident@example.kz")
        placement = referred_check_in(
            center=center, person=person, actor=clerk, planned_check_out_on=datetime.date(2026, 5, 10)
        )
    for day in (datetime.date(2026, 5, 4), datetime.date(2026, 5, 4), datetime.date(2026, 5, 12)):
        with _at(day):
            flag_checkouts_task()
    to_person = Notification.objects.get(event="center.checkout_approaching")
    assert to_person.person == person and to_person.key == f"placement-{placement.pk}-checkout_approaching-2026-05-10"
    assert "10.05.2026" in to_person.body
    to_staff = Notification.objects.get(event="center.overstay")
    assert to_staff.user == clerk
    assert center.name_kk in to_staff.body
    assert Notification.objects.count() == 2
