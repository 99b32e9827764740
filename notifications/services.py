"""The one entry point other apps use to notify someone (a transactional outbox, issue 7), and the
delivery of what is in the outbox.

Call `notify()` inside the transaction of the event that causes it: the notification row commits or
rolls back with the event. `key` makes a repeated call for the same event a no-op. After the commit
a Celery task delivers it; if the broker is down at that moment, the outbox sweeper (every minute)
sends it later. Delivery is at least once: a worker that dies between handing the message to its
channel and marking it sent leaves the row in `sending`; when its claim expires, the next attempt is
recorded as a retry and passes the same idempotency key, so a channel that honours keys (the HTTP SMS
gateway) does not deliver it twice.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.audit import acting
from core.errors import DomainError
from core.jobs import publish
from notifications.events import RECIPIENT_KIND, Event
from notifications.models import Channel, DeliveryAttempt, Notification
from notifications.rendering import render_message
from notifications.sms import PermanentSmsError, get_sms_backend

logger = logging.getLogger(__name__)
State = Notification.State

#: Sent after a message was handed to its channel and before it is marked sent. A receiver that
#: raises leaves the notification in `sending`, exactly like a worker killed at that moment.
handed_to_channel = Signal()


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    return _setting("NOTIFICATIONS_MAX_ATTEMPTS", 8)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff: base, 2x base, 4x base ... capped (defaults 1 min doubling up to 1 h)."""
    base = _setting("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
    cap = _setting("NOTIFICATIONS_RETRY_MAX_SECONDS", 3600)
    return datetime.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def lease_length() -> datetime.timedelta:
    """How long a worker's claim on a notification lasts; afterwards it counts as lost."""
    return datetime.timedelta(seconds=_setting("NOTIFICATIONS_SENDING_LEASE_SECONDS", 300))


# --- Writing into the outbox --------------------------------------------------------------------


def choose_channel(recipient) -> tuple[str, str]:
    """(channel, address) from the recipient's contacts, in the order of NOTIFICATIONS_CHANNELS
    (e-mail first by default: free and long enough for a digest); ("", "") when there is none."""
    contacts = {
        Channel.EMAIL: (getattr(recipient, "email", "") or "").strip(),
        Channel.SMS: (getattr(recipient, "phone", "") or "").strip(),
    }
    for channel in _setting("NOTIFICATIONS_CHANNELS", (Channel.EMAIL, Channel.SMS)):
        if contacts.get(channel):
            return str(channel), contacts[channel]
    return "", ""


def _recipient_name(person, user) -> str:
    if person is not None:
        return person.full_name
    return user.get_full_name() or user.username


# Refusal events carry the ground's code; the message names the ground in the recipient's language.
GROUND_MODELS = {
    Event.STATUS_REFUSED: "oralman.RefusalGround",
    Event.CITIZENSHIP_REFUSED: "citizenship.CitizenshipRefusalGround",
}


def _ground_name(event: str, code: str, language: str) -> str:
    from django.apps import apps

    try:
        model = apps.get_model(GROUND_MODELS[event])
    except (KeyError, LookupError):
        return ""
    ground = model.objects.filter(code=code).first()
    if ground is None:
        return ""
    return getattr(ground, f"name_{language}", "") or getattr(ground, "name_ru", "") or str(ground)


def _render_context(event: str, person, user, context: dict[str, Any], language: str) -> dict[str, Any]:
    """The template's context: the caller's dict plus the recipient's name and readable names of codes."""
    result = {"recipient_name": _recipient_name(person, user), **context}
    if event in GROUND_MODELS and result.get("ground") and "ground_name" not in result:
        result["ground_name"] = _ground_name(event, result["ground"], language)
    return result


@dataclass(frozen=True)
class _Content:
    channel: str
    address: str
    language: str
    subject: str
    body: str


def _compose(event: str, person, user, context: dict[str, Any]) -> _Content:
    recipient = person if person is not None else user
    channel, address = choose_channel(recipient)
    language = getattr(recipient, "preferred_language", "") or settings.LANGUAGE_CODE
    message = render_message(
        event=event, language=language, context=_render_context(event, person, user, context, language)
    )
    body = message.sms_text if channel == Channel.SMS else message.body
    return _Content(channel, address, message.language, message.subject, body)


def notify(*, event: str, key: str, person=None, user=None, context: dict[str, Any] | None = None) -> Notification:
    """Queue a notification of `event` to a person (applicant) or a staff user.

    Writes the outbox row in the caller's transaction and delivers it after the commit. A second
    call with the same key returns the first notification and queues nothing."""
    if (person is None) == (user is None):
        raise ValueError("notify() needs exactly one recipient: person or user")
    if event not in Event.values:
        raise ValueError(f"Unknown notification event {event!r}; the agreed events are in notifications.events")
    if RECIPIENT_KIND[event] != ("person" if person is not None else "user"):
        raise ValueError(f"Event {event!r} is addressed to a {RECIPIENT_KIND[event]}")
    existing = Notification.objects.filter(key=key).first()
    if existing is not None:
        return existing
    context = dict(context or {})
    content = _compose(event, person, user, context)
    now = timezone.now()
    notification = Notification(
        event=event,
        key=key,
        person=person,
        user=user,
        channel=content.channel,
        address=content.address,
        language=content.language,
        subject=content.subject,
        body=content.body,
        context=context,
        region_id=(person or user).region_id,
        next_attempt_at=now,
        created_at=now,
    )
    if not content.channel:
        notification.state = State.FAILED
        notification.failed_at = now
        notification.last_error = _("The recipient has neither an e-mail address nor a phone number.")
    try:
        with transaction.atomic():
            notification.save(force_insert=True)
    except IntegrityError:
        # The same key committed meanwhile by a concurrent transaction: that one is the notification.
        return Notification.objects.get(key=key)
    if notification.state == State.PENDING:
        transaction.on_commit(lambda: enqueue_delivery(notification.pk, notification.channel))
    return notification


def enqueue_delivery(notification_id: int, channel: str = "") -> bool:
    """Ask a worker to deliver, on the queue of the channel (a silent SMTP server holds up only
    e-mail); never raises, and waits about a second at most. If the broker is unreachable the row
    stays pending and the sweeper delivers it later, so the request that caused the event is not affected."""
    from config.queues import queue_name
    from notifications.tasks import deliver_notification_task

    queue = queue_name(channel if channel in (Channel.EMAIL, Channel.SMS) else "default")
    try:  # in eager mode the delivery runs here; whatever it raises must not reach the caller either
        if publish(deliver_notification_task, args=[notification_id], queue=queue) is not None:
            return True
        logger.warning(
            "Notification %s: could not enqueue its delivery; the outbox sweeper will send it.", notification_id
        )
        return False
    except Exception:
        logger.warning(
            "Notification %s: delivery failed in process; the sweeper retries it.", notification_id, exc_info=True
        )
        return False


@transaction.atomic
def notification_resend(*, notification: Notification, actor) -> Notification:
    """Send a notification again (an administrator's action): re-rendered from the current template
    and the recipient's current contacts, with a fresh channel key so a gateway does not drop it."""
    notification = (
        Notification.objects.select_for_update(of=("self",)).select_related("person", "user").get(pk=notification.pk)
    )
    if notification.state in (State.PENDING, State.SENDING):
        raise DomainError(_("This notification is already waiting to be sent."))
    content = _compose(notification.event, notification.person, notification.user, notification.context)
    if not content.channel:
        raise DomainError(_("The recipient has neither an e-mail address nor a phone number."))
    now = timezone.now()
    for name in ("channel", "address", "language", "subject", "body"):
        setattr(notification, name, getattr(content, name))
    notification.resends += 1
    notification.attempts = 0
    notification.state = State.PENDING
    notification.next_attempt_at = now
    notification.lease_expires_at = None
    notification.sent_at = None
    notification.failed_at = None
    notification.last_error = ""
    with acting(actor):
        notification.save(
            update_fields=[
                "channel", "address", "language", "subject", "body", "resends", "attempts", "state",
                "next_attempt_at", "lease_expires_at", "sent_at", "failed_at", "last_error",
            ]
        )  # fmt: skip
    transaction.on_commit(lambda: enqueue_delivery(notification.pk, notification.channel))
    return notification


# --- Delivery -------------------------------------------------------------------------------------


def _channel_honours_key(channel: str) -> bool:
    if channel == Channel.SMS:  # the class says so; no instance (its configuration may be broken)
        return bool(getattr(import_string(settings.SMS_BACKEND), "accepts_idempotency_key", False))
    return False  # Django's e-mail backends have no idempotency key; we set a stable Message-ID instead.


@transaction.atomic
def _claim(notification_id: int, now: datetime.datetime) -> tuple[Notification, DeliveryAttempt] | None:
    """Take the notification for one attempt: pending and due, or sending with an expired claim (its
    worker died). Rows another worker is holding are skipped, so two workers never send at once."""
    notification = Notification.objects.select_for_update(skip_locked=True).filter(pk=notification_id).first()
    if notification is None:
        return None
    lost_worker = False
    if notification.state == State.PENDING:
        if notification.next_attempt_at > now:
            return None
    elif notification.state == State.SENDING:
        if notification.lease_expires_at > now:
            return None
        lost_worker = True
        notification.delivery_attempts.filter(outcome=DeliveryAttempt.Outcome.IN_PROGRESS).update(
            outcome=DeliveryAttempt.Outcome.WORKER_LOST,
            finished_at=now,
            error="The worker stopped before recording the outcome; the message may have been handed over.",
        )
        if notification.attempts >= max_attempts():
            _fail(notification, now, "The worker was lost on the last attempt; the outcome is unknown.")
            return None
    else:
        return None
    number = (notification.delivery_attempts.aggregate(n=Max("number"))["n"] or 0) + 1
    notification.state = State.SENDING
    notification.attempts += 1
    notification.lease_expires_at = now + lease_length()
    notification.save(update_fields=["state", "attempts", "lease_expires_at"])
    attempt = DeliveryAttempt.objects.create(
        notification=notification,
        number=number,
        channel=notification.channel,
        channel_key=notification.channel_key,
        key_accepted_by_channel=_channel_honours_key(notification.channel),
        is_retry=notification.attempts > 1,
        retry_after_lost_worker=lost_worker,
        started_at=now,
    )
    return notification, attempt


def _fail(notification: Notification, now: datetime.datetime, error: str) -> None:
    notification.state = State.FAILED
    notification.failed_at = now
    notification.lease_expires_at = None
    notification.last_error = error
    notification.save(update_fields=["state", "failed_at", "lease_expires_at", "last_error"])


def _message_id(notification: Notification) -> str:
    digest = hashlib.sha256(notification.channel_key.encode()).hexdigest()[:32]
    return f"<{digest}@notifications.kandas>"


def _hand_to_channel(notification: Notification) -> str:
    """Send through the channel; return the channel's message id. Raises on failure."""
    if notification.channel == Channel.SMS:
        return get_sms_backend().send(
            to=notification.address, text=notification.body, idempotency_key=notification.channel_key
        )
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        headers={"Message-ID": _message_id(notification), "X-Kandas-Notification-Key": notification.channel_key},
    )
    if message.send() != 1:
        raise RuntimeError("The e-mail backend did not accept the message.")
    return _message_id(notification)


def _finish(notification: Notification, attempt: DeliveryAttempt, **changes) -> bool:
    """Record the outcome, only if this worker still holds the claim (no one took it over)."""
    now = timezone.now()
    with transaction.atomic():
        updated = Notification.objects.filter(
            pk=notification.pk, state=State.SENDING, attempts=notification.attempts
        ).update(lease_expires_at=None, **changes)
        if updated:
            outcome = DeliveryAttempt.Outcome.SENT if changes["state"] == State.SENT else DeliveryAttempt.Outcome.ERROR
            DeliveryAttempt.objects.filter(pk=attempt.pk).update(
                outcome=outcome, finished_at=now, error=changes.get("last_error", "")
            )
    if not updated:
        logger.warning("Notification %s: claim lost before recording attempt %s", notification.pk, attempt.number)
    return bool(updated)


def notification_deliver(*, notification_id: int) -> str:
    """One delivery attempt; returns what happened: sent, retry, failed or skipped."""
    now = timezone.now()
    claimed = _claim(notification_id, now)
    if claimed is None:
        return "skipped"
    notification, attempt = claimed
    try:
        provider_id = _hand_to_channel(notification)
    except Exception as exc:  # every channel error is recorded; none may escape and lose the row
        error = f"{type(exc).__name__}: {exc}"[:2000]
        permanent = isinstance(exc, PermanentSmsError)
        if permanent or notification.attempts >= max_attempts():
            _finish(notification, attempt, state=State.FAILED, failed_at=timezone.now(), last_error=error)
            logger.error("Notification %s failed for good: %s", notification.pk, error)
            return "failed"
        _finish(
            notification,
            attempt,
            state=State.PENDING,
            next_attempt_at=timezone.now() + retry_delay(notification.attempts),
            last_error=error,
        )
        return "retry"
    handed_to_channel.send(sender=Notification, notification=notification, attempt=attempt)
    _finish(
        notification, attempt, state=State.SENT, sent_at=timezone.now(), provider_message_id=provider_id[:200],
        last_error="",
    )  # fmt: skip
    return "sent"


def outbox_sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Enqueue every notification that is due (missed at commit time or waiting for a retry) or whose
    worker was lost; returns their ids. Safe to run while workers deliver: claims are exclusive."""
    now = now or timezone.now()
    due = list(
        Notification.objects.filter(
            Q(state=State.PENDING, next_attempt_at__lte=now) | Q(state=State.SENDING, lease_expires_at__lte=now)
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", "channel")[:limit]
    )
    for pk, channel in due:
        enqueue_delivery(pk, channel)
    return [pk for pk, _channel in due]
