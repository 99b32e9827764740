"""The caseworkers' deadline digest picks exactly the right cases around its date boundaries (frozen
clock), and the beat schedule names registered tasks. The status expiring reminder is oralman's
(tests/oralman/test_status_expiring_reminders.py)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.celery import app
from notifications.deadlines import DeadlineItem, deadline_sources, register_deadline_source
from notifications.models import Notification
from notifications.tasks import deadline_digest_task
from tests.factories import StatusApplicationFactory, UserFactory
from tests.notifications.factories import ContactablePersonFactory

ALMATY_MORNING = datetime.time(9, 0)


def freeze(time_machine, day: datetime.date) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, ALMATY_MORNING))
    time_machine.move_to(moment, tick=False)


TODAY = datetime.date(2026, 3, 13)  # a Friday


# --- caseworker.deadline_digest ---------------------------------------------------------------


def application_due(on: datetime.date, *, region, state: str = "under_review"):
    return StatusApplicationFactory(
        applicant=ContactablePersonFactory(region=region),
        region=region,
        state=state,
        submitted_on=on - datetime.timedelta(days=7),
        clock_started_on=on - datetime.timedelta(days=7),
        decision_due=on if state in ("submitted", "under_review") else None,
    )


def digest_references(user) -> list[str]:
    notification = Notification.objects.get(event="caseworker.deadline_digest", user=user)
    return [item["reference"] for item in notification.context["items"]]


@pytest.mark.django_db
def test_digest_covers_overdue_today_and_three_working_days_not_the_fourth(
    time_machine, caseworker, region, other_region
):
    caseworker.email = "cw@example.kz"
    caseworker.save(update_fields=["email"])
    freeze(time_machine, TODAY)  # Friday 13 March 2026: + 3 working days = Wednesday 18 March
    overdue = application_due(datetime.date(2026, 3, 12), region=region, state="submitted")
    today = application_due(TODAY, region=region)
    last = application_due(datetime.date(2026, 3, 18), region=region)
    application_due(datetime.date(2026, 3, 19), region=region)  # the fourth working day
    application_due(datetime.date(2026, 3, 16), region=other_region)  # another region
    returned = application_due(datetime.date(2026, 3, 16), region=region, state="returned")
    assert returned.decision_due is None

    assert deadline_digest_task.delay().get() == 1

    assert digest_references(caseworker) == [str(a.pk) for a in (overdue, today, last)]
    notification = Notification.objects.get(user=caseworker)
    assert notification.context["until"] == "2026-03-18"
    assert notification.context["overdue_count"] == 1
    assert "ПРОСРОЧЕНО" in notification.body


@pytest.mark.django_db
def test_digest_horizon_skips_public_holidays(time_machine, caseworker, region):
    caseworker.email = "cw@example.kz"
    caseworker.save(update_fields=["email"])
    freeze(time_machine, datetime.date(2026, 3, 6))  # Friday; Monday 9 March is a day off (8 March moved)
    inside = application_due(datetime.date(2026, 3, 12), region=region)
    application_due(datetime.date(2026, 3, 13), region=region)
    assert deadline_digest_task.delay().get() == 1
    assert digest_references(caseworker) == [str(inside.pk)]


@pytest.mark.django_db
@pytest.mark.parametrize("day", [datetime.date(2026, 3, 15), datetime.date(2026, 3, 9)], ids=["sunday", "holiday"])
def test_no_digest_on_a_day_off(time_machine, caseworker, region, day):
    freeze(time_machine, day)
    application_due(day, region=region)
    assert deadline_digest_task.delay().get() == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_digest_goes_to_each_active_caseworker_of_the_region_once_a_day(time_machine, caseworker, region):
    colleague = UserFactory(role="caseworker", region=region, username="colleague", phone="+77010000009")
    UserFactory(role="caseworker", region=region, username="retired", is_active=False)
    UserFactory(role="caseworker", region=None, username="no_region")
    UserFactory(role="center_staff", region=region, username="center")
    freeze(time_machine, TODAY)
    application_due(TODAY, region=region)

    assert deadline_digest_task.delay().get() == 2
    assert deadline_digest_task.delay().get() == 0
    recipients = set(Notification.objects.values_list("user__username", flat=True))
    assert recipients == {caseworker.username, colleague.username}


@pytest.mark.django_db
def test_nothing_due_sends_no_digest(time_machine, caseworker, region):
    freeze(time_machine, TODAY)
    application_due(datetime.date(2026, 3, 19), region=region)
    assert deadline_digest_task.delay().get() == 0


@pytest.mark.django_db
def test_another_app_can_add_a_deadline_source(time_machine, caseworker, region):
    caseworker.email = "cw@example.kz"
    caseworker.save(update_fields=["email"])
    freeze(time_machine, TODAY)

    def citizenship_like(region_ids, until):
        yield DeadlineItem(
            kind="citizenship application", reference="C-1", person="X Y", due=TODAY, region_id=region.pk
        )

    saved = deadline_sources()
    register_deadline_source("test.citizenship", citizenship_like)
    try:
        assert deadline_digest_task.delay().get() == 1
    finally:
        from notifications import deadlines

        deadlines._SOURCES.clear()
        deadlines._SOURCES.update(saved)
    assert digest_references(caseworker) == ["C-1"]


# --- the beat schedule ------------------------------------------------------------------------


@pytest.mark.django_db
def test_beat_schedule_rows_exist_with_their_arguments():
    tasks = {t.task: t for t in PeriodicTask.objects.all()}
    assert tasks["notifications.tasks.sweep_outbox_task"].interval.every == 1
    assert json.loads(tasks["oralman.tasks.status_expiring_reminders_task"].kwargs) == {"days_ahead": 30}
    assert "notifications.tasks.status_expiring_reminders_task" not in tasks  # moved to oralman (0011)
    assert json.loads(tasks["notifications.tasks.deadline_digest_task"].kwargs) == {"working_days": 3}
    assert tasks["oralman.tasks.expire_statuses_task"].crontab.hour == "0"
    app.loader.import_default_modules()  # what a worker does at start: autodiscover every app's tasks
    for name in tasks:
        assert name in app.tasks, name  # every scheduled task is registered with the worker


@pytest.mark.django_db
def test_digest_is_written_in_the_caseworkers_language(time_machine, caseworker, region):
    caseworker.email = "cw@example.kz"
    caseworker.preferred_language = "kk"
    caseworker.save(update_fields=["email", "preferred_language"])
    freeze(time_machine, TODAY)
    application = application_due(TODAY, region=region)
    assert deadline_digest_task.delay().get() == 1
    notification = Notification.objects.get(user=caseworker)
    assert notification.language == "kk"
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("kk"):
        kind = gettext("status application")
    assert kind != "status application"
    assert f"13.03.2026: {kind} № {application.pk}" in notification.body
