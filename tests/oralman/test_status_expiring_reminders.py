"""The status expiring reminder (oralman.tasks, daily) picks exactly the statuses ending in its
window and reminds each once per end date (frozen clock)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from notifications.models import Notification
from oralman.tasks import status_expiring_reminders_task
from tests.factories import KandasStatusFactory
from tests.notifications.factories import ContactablePersonFactory

TODAY = datetime.date(2026, 3, 13)  # a Friday
ALMATY_MORNING = datetime.time(9, 0)


def freeze(time_machine, day: datetime.date) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, ALMATY_MORNING))
    time_machine.move_to(moment, tick=False)


def status_ending(on: datetime.date, **kwargs):
    return KandasStatusFactory(
        person=ContactablePersonFactory(), issued_on=on - datetime.timedelta(days=364), valid_until=on, **kwargs
    )


@pytest.mark.django_db
def test_expiry_reminder_takes_statuses_ending_today_to_30_days_ahead(time_machine):
    freeze(time_machine, TODAY)
    picked = [status_ending(TODAY), status_ending(TODAY + datetime.timedelta(days=30))]
    status_ending(TODAY - datetime.timedelta(days=1))  # already expired
    status_ending(TODAY + datetime.timedelta(days=31))  # not yet
    status_ending(TODAY + datetime.timedelta(days=10), terminated_on=TODAY, termination_reason="departure")

    assert status_expiring_reminders_task.delay().get() == 2

    sent = Notification.objects.filter(event="status.expiring")
    assert sorted(n.person_id for n in sent) == sorted(s.person_id for s in picked)
    last = sent.get(person=picked[1].person)
    assert last.context["days_left"] == 30
    assert "12.04.2026" in last.subject


@pytest.mark.django_db
def test_expiry_reminder_is_sent_once_per_end_date(time_machine):
    freeze(time_machine, TODAY)
    status = status_ending(TODAY + datetime.timedelta(days=20))
    assert status_expiring_reminders_task.delay().get() == 1
    freeze(time_machine, TODAY + datetime.timedelta(days=1))
    assert status_expiring_reminders_task.delay().get() == 0  # the next day: nothing new

    status.valid_until = TODAY + datetime.timedelta(days=25)  # extended (say) to a new end date
    status.save(update_fields=["valid_until"])
    assert status_expiring_reminders_task.delay().get() == 1
    assert Notification.objects.filter(person=status.person, event="status.expiring").count() == 2


@pytest.mark.django_db
def test_expiry_window_comes_from_the_schedules_arguments(time_machine):
    freeze(time_machine, TODAY)
    status_ending(TODAY + datetime.timedelta(days=10))
    status_ending(TODAY + datetime.timedelta(days=20))
    assert status_expiring_reminders_task.delay(days_ahead=14).get() == 1
