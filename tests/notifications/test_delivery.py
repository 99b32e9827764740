"""Delivery: at least once, no duplicate under one key, retries with backoff, a final failed state."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from core.errors import DomainError
from notifications import sms
from notifications.models import DeliveryAttempt, Notification
from notifications.services import handed_to_channel, notification_deliver, notification_resend, notify, outbox_sweep
from notifications.tasks import sweep_outbox_task
from tests.notifications.conftest import wait_until
from tests.notifications.factories import ContactablePersonFactory, NotificationFactory, SmsPersonFactory

State = Notification.State
Outcome = DeliveryAttempt.Outcome
worker_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class WorkerKilled(Exception):
    """Stands for a worker dying after the channel accepted the message, before it was marked sent."""


class KillAfterHandoff:
    """A receiver of `handed_to_channel` that 'kills' the first `times` deliveries."""

    def __init__(self, times: int = 1):
        self.remaining = times
        self.killed = 0

    def __call__(self, sender, **kwargs):
        if self.remaining:
            self.remaining -= 1
            self.killed += 1
            raise WorkerKilled

    def __enter__(self):
        handed_to_channel.connect(self, weak=False)
        return self

    def __exit__(self, *exc):
        handed_to_channel.disconnect(self)


def _attempts(notification):
    return list(
        DeliveryAttempt.objects.filter(notification=notification)
        .order_by("number")
        .values_list("number", "outcome", "is_retry", "retry_after_lost_worker")
    )


@worker_db
def test_worker_killed_after_sending_leads_to_one_recorded_retry_and_no_duplicate(celery_worker_thread, settings):
    settings.NOTIFICATIONS_SENDING_LEASE_SECONDS = 1
    person = SmsPersonFactory()
    with KillAfterHandoff() as killer:
        with transaction.atomic():
            notification = notify(event="status.granted", key="status-1-granted", person=person)
        wait_until(lambda: killer.killed == 1 and len(sms.outbox) == 1)
        notification.refresh_from_db()
        assert notification.state == State.SENDING  # the dead worker never marked it

        wait_until(lambda: timezone.now() > Notification.objects.get(pk=notification.pk).lease_expires_at)
        sweep_outbox_task.delay().get(timeout=20)
        wait_until(lambda: Notification.objects.get(pk=notification.pk).state == State.SENT)

    notification.refresh_from_db()
    assert notification.attempts == 2
    assert [(m.to, m.idempotency_key) for m in sms.outbox] == [(person.phone, "status-1-granted")]
    assert _attempts(notification) == [(1, Outcome.WORKER_LOST, False, False), (2, Outcome.SENT, True, True)]
    assert DeliveryAttempt.objects.get(notification=notification, number=2).key_accepted_by_channel


@pytest.mark.django_db
def test_email_retry_after_a_lost_worker_is_recorded_as_such_as_e_mail_has_no_key(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
    notification = notify(event="status.granted", key="k-mail", person=ContactablePersonFactory())
    with KillAfterHandoff(), pytest.raises(WorkerKilled):
        notification_deliver(notification_id=notification.pk)

    time_machine.shift(datetime.timedelta(minutes=6))
    assert outbox_sweep() == [notification.pk]  # eager here: the sweeper's task runs at once

    notification.refresh_from_db()
    assert notification.state == State.SENT
    assert len(mail.outbox) == 2  # at least once: e-mail backends cannot drop a repeat
    assert mail.outbox[0].extra_headers["Message-ID"] == mail.outbox[1].extra_headers["Message-ID"]
    second = DeliveryAttempt.objects.get(notification=notification, number=2)
    assert (second.is_retry, second.retry_after_lost_worker, second.key_accepted_by_channel) == (True, True, False)


@pytest.mark.django_db
def test_a_claim_held_by_a_live_worker_is_left_alone():
    notification = NotificationFactory(
        state=State.SENDING, lease_expires_at=timezone.now() + datetime.timedelta(minutes=4)
    )
    assert notification_deliver(notification_id=notification.pk) == "skipped"
    assert outbox_sweep() == []
    assert mail.outbox == []


@pytest.mark.django_db
def test_sweeper_takes_due_and_abandoned_rows_only():
    now = timezone.now()
    due = NotificationFactory(next_attempt_at=now - datetime.timedelta(seconds=1))
    later = NotificationFactory(next_attempt_at=now + datetime.timedelta(minutes=1))
    abandoned = NotificationFactory(state=State.SENDING, lease_expires_at=now - datetime.timedelta(seconds=1))
    NotificationFactory(state=State.SENT, sent_at=now)
    NotificationFactory(state=State.FAILED, failed_at=now)
    assert sorted(outbox_sweep(now=now)) == sorted([due.pk, abandoned.pk])
    later.refresh_from_db()
    assert later.state == State.PENDING


@pytest.mark.django_db
def test_gateway_errors_retry_with_exponential_backoff_then_fail(sms_gateway, settings, time_machine):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 4
    start = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    time_machine.move_to(start, tick=False)
    sms_gateway.statuses = [503, 503, 503, 503]
    notification = notify(event="status.granted", key="k-backoff", person=SmsPersonFactory())

    delays = []
    for _ in range(3):
        assert notification_deliver(notification_id=notification.pk) == "retry"
        notification.refresh_from_db()
        delays.append((notification.next_attempt_at - timezone.now()).total_seconds())
        assert notification_deliver(notification_id=notification.pk) == "skipped"  # not due yet
        time_machine.move_to(notification.next_attempt_at, tick=False)
    assert delays == [60, 120, 240]

    assert notification_deliver(notification_id=notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.state == State.FAILED
    assert notification.failed_at is not None
    assert "503" in notification.last_error
    assert len(sms_gateway.requests) == 4
    assert [a[1] for a in _attempts(notification)] == [Outcome.ERROR] * 4


@pytest.mark.django_db
def test_gateway_refusal_fails_at_once(sms_gateway):
    sms_gateway.statuses = [400]
    notification = notify(event="status.granted", key="k-400", person=SmsPersonFactory())
    assert notification_deliver(notification_id=notification.pk) == "failed"
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == (State.FAILED, 1)


@pytest.mark.django_db
def test_gateway_gets_the_notification_key_and_its_message_id_is_kept(sms_gateway):
    person = SmsPersonFactory()
    notification = notify(
        event="status.granted", key="status-9-granted", person=person, context={"certificate_number": "N1"}
    )
    assert notification_deliver(notification_id=notification.pk) == "sent"
    notification.refresh_from_db()
    [request] = sms_gateway.requests
    assert request["headers"]["Idempotency-Key"] == "status-9-granted"
    assert request["headers"]["Authorization"] == "Bearer gateway-secret"
    assert request["body"]["to"] == person.phone
    assert "N1" in request["body"]["text"]
    assert notification.provider_message_id == "gw-1"


@worker_db
def test_two_workers_on_one_notification_send_it_once(sms_gateway):
    sms_gateway.delay = 0.3
    person = SmsPersonFactory()  # written directly: notify() here would deliver at once (eager, autocommit)
    notification = NotificationFactory(person=person, channel="sms", address=person.phone)
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(notification_deliver(notification_id=notification.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(sms_gateway.requests) == 1


@pytest.mark.django_db
def test_resend_sends_again_under_a_fresh_channel_key(administrator, django_capture_on_commit_callbacks):
    person = SmsPersonFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(event="status.granted", key="k-re", person=person)
    with django_capture_on_commit_callbacks(execute=True):
        notification_resend(notification=notification, actor=administrator)
    notification.refresh_from_db()
    assert (notification.state, notification.resends) == (State.SENT, 1)
    assert [m.idempotency_key for m in sms.outbox] == ["k-re", "k-re#resend-1"]


@pytest.mark.django_db
def test_resend_uses_contacts_added_after_a_failure(administrator, django_capture_on_commit_callbacks):
    person = ContactablePersonFactory(email="", phone="")
    notification = notify(event="status.granted", key="k-nocontact", person=person)
    assert notification.state == State.FAILED
    person.phone = "+77019998877"
    person.save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        notification_resend(notification=notification, actor=administrator)
    notification.refresh_from_db()
    assert (notification.state, notification.channel, notification.address) == (State.SENT, "sms", "+77019998877")


@pytest.mark.django_db
def test_resend_of_a_waiting_notification_is_refused(administrator):
    notification = notify(event="status.granted", key="k-wait", person=ContactablePersonFactory())
    with pytest.raises(DomainError):
        notification_resend(notification=notification, actor=administrator)


@pytest.mark.django_db
def test_a_misconfigured_gateway_is_an_error_recorded_on_the_attempt(settings):
    settings.SMS_BACKEND = "notifications.sms.HttpSmsGatewayBackend"
    settings.SMS_GATEWAY_URL = ""
    notification = notify(event="status.granted", key="k-conf", person=SmsPersonFactory())
    assert notification_deliver(notification_id=notification.pk) == "retry"
    notification.refresh_from_db()
    assert "SMS_GATEWAY_URL" in notification.last_error
    assert _attempts(notification) == [(1, Outcome.ERROR, False, False)]
