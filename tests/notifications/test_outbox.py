"""The transactional outbox: a notification commits or rolls back with its event, and is never lost."""

from __future__ import annotations

import datetime
import logging
import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from notifications import sms
from notifications.models import Notification
from notifications.services import handed_to_channel, notify
from notifications.tasks import sweep_outbox_task
from oralman.models import RefusalGround
from oralman.services import application_grant, application_refuse
from tests.factories import StatusApplicationFactory, UserFactory
from tests.notifications.conftest import celery_broker, wait_until
from tests.notifications.factories import ContactablePersonFactory, SmsPersonFactory

State = Notification.State
# Transactional tests restore the reference data (regions, templates, groups) the migrations load.
worker_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class EventAborted(Exception):
    pass


def _application_under_review(person):
    return StatusApplicationFactory(
        applicant=person,
        state="under_review",
        # Under the 2021 rules (no commission step), so the department decides straight from review.
        submitted_on=datetime.date(2024, 3, 4),
        clock_started_on=datetime.date(2024, 3, 4),
        decision_due=datetime.date(2024, 3, 11),
    )


def _state(key: str) -> str | None:
    return Notification.objects.filter(key=key).values_list("state", flat=True).first()


@worker_db
def test_rolled_back_event_sends_nothing_and_committed_one_is_delivered(celery_worker_thread, caseworker):
    refused_person = ContactablePersonFactory()
    granted_person = ContactablePersonFactory()
    refused_application = _application_under_review(refused_person)
    granted_application = _application_under_review(granted_person)
    ground = RefusalGround.objects.get(code="false-documents")

    delivered_in = []

    def record_thread(sender, **kwargs):
        delivered_in.append(threading.get_ident())

    handed_to_channel.connect(record_thread, weak=False)
    try:
        with pytest.raises(EventAborted), transaction.atomic():
            application_refuse(application=refused_application, actor=caseworker, ground=ground)
            raise EventAborted

        status = application_grant(application=granted_application, actor=caseworker)

        key = f"status-{status.pk}-granted"
        wait_until(lambda: _state(key) == State.SENT)
    finally:
        handed_to_channel.disconnect(record_thread)
    assert delivered_in and threading.get_ident() not in delivered_in  # the worker thread sent it
    assert not Notification.objects.filter(person=refused_person).exists()
    assert [m.to for m in mail.outbox] == [[granted_person.email]]
    assert status.certificate_number in mail.outbox[0].body


@worker_db
def test_broker_down_at_commit_is_logged_and_the_sweeper_delivers_later(
    celery_worker_thread, caseworker, closed_port_broker, caplog
):
    person = SmsPersonFactory()
    application = _application_under_review(person)

    with caplog.at_level(logging.WARNING, logger="notifications.services"), celery_broker(closed_port_broker):
        status = application_grant(application=application, actor=caseworker)  # commits; enqueue fails

    key = f"status-{status.pk}-granted"
    assert "could not enqueue" in caplog.text
    assert _state(key) == State.PENDING
    assert sms.outbox == []

    assert sweep_outbox_task.delay().get(timeout=20) == 1
    wait_until(lambda: _state(key) == State.SENT)
    assert [(m.to, m.idempotency_key) for m in sms.outbox] == [(person.phone, key)]


@pytest.mark.django_db
def test_notification_is_written_only_when_the_transaction_commits(django_capture_on_commit_callbacks):
    person = ContactablePersonFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        notification = notify(event="status.granted", key="k-1", person=person, context={"certificate_number": "X"})
    assert notification.state == State.PENDING
    assert len(callbacks) == 1
    assert mail.outbox == []


@pytest.mark.django_db
def test_committed_notification_is_delivered_after_commit(django_capture_on_commit_callbacks):
    person = ContactablePersonFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify(event="status.granted", key="k-2", person=person, context={"certificate_number": "KND-1"})
    notification = Notification.objects.get(key="k-2")
    assert notification.state == State.SENT
    assert notification.sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["X-Kandas-Notification-Key"] == "k-2"


@pytest.mark.django_db
def test_same_key_twice_gives_one_notification(django_capture_on_commit_callbacks):
    person = ContactablePersonFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = notify(event="status.granted", key="same", person=person)
        second = notify(event="status.granted", key="same", person=person)
    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


@worker_db
def test_concurrent_notify_with_the_same_key_writes_one_row():
    person = ContactablePersonFactory()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            with transaction.atomic():
                barrier.wait()
                results.append(notify(event="status.granted", key="race", person=person).pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1
    assert Notification.objects.filter(key="race").count() == 1


@pytest.mark.django_db
def test_channel_is_email_when_the_person_has_one_else_sms():
    by_mail = notify(event="status.granted", key="a", person=ContactablePersonFactory(phone="+77010000001"))
    by_sms = notify(event="status.granted", key="b", person=SmsPersonFactory())
    assert (by_mail.channel, by_sms.channel) == ("email", "sms")
    assert by_sms.address.startswith("+7701")


@pytest.mark.django_db
def test_recipient_without_contacts_is_recorded_as_failed_not_dropped(django_capture_on_commit_callbacks):
    person = ContactablePersonFactory(email="", phone="")
    with django_capture_on_commit_callbacks() as callbacks:
        notification = notify(event="status.granted", key="nocontact", person=person)
    assert notification.state == State.FAILED
    assert notification.channel == ""
    assert "neither" in notification.last_error or "ни" in notification.last_error
    assert callbacks == []


@pytest.mark.django_db
def test_region_and_language_come_from_the_recipient(region):
    person = ContactablePersonFactory(preferred_language="kk", region=region)
    notification = notify(event="status.granted", key="r", person=person)
    assert notification.region == region
    assert notification.language == "kk"


@pytest.mark.django_db
def test_staff_events_go_to_users(region):
    user = UserFactory(email="clerk@example.kz", region=region, preferred_language="en")
    notification = notify(event="center.overstay", key="o", user=user, context={"center": "Ulan", "person": "A B"})
    assert notification.user == user
    assert notification.language == "en"
    assert "Ulan" in notification.subject


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs",
    [
        {"event": "status.unknown"},
        {"event": "center.overstay"},  # addressed to staff, given a person
        {"event": "status.granted", "person": None},
    ],
)
def test_notify_rejects_a_wrong_call(kwargs):
    person = ContactablePersonFactory()
    arguments = {"event": "status.granted", "key": "bad", "person": person, **kwargs}
    with pytest.raises(ValueError):
        notify(**arguments)
    assert not Notification.objects.exists()
