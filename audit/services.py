"""Writing the read log and raising its alert. `log_read` is the one function other code calls
(also re-exported as `core.audit.log_read`)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import ReadAlert, ReadKind, ReadLogEntry

logger = logging.getLogger(__name__)
WINDOW = datetime.timedelta(hours=1)


def alert_threshold() -> int:
    return int(getattr(settings, "KANDAS_READ_ALERT_PER_HOUR", 50))


def _person_id(obj) -> int | None:
    """The person whose file was read: the person, the family's head, or the row's `person`."""
    from oralman.models import Family, Person

    if isinstance(obj, Person):
        return obj.pk
    if isinstance(obj, Family):
        return obj.head_id
    if getattr(obj, "person_id", None) is not None:  # a document, an application, a status
        return obj.person_id
    subject = getattr(obj, "subject", None)  # an issued document: its status or application
    return getattr(subject, "person_id", None)


def _client_ip(request) -> str | None:
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def log_read(user, obj, *, kind: str, request=None, person_id: int | None = None) -> ReadLogEntry | None:
    """Record that `user` opened `obj` (a full person or family record, a document file, a
    printout). One INSERT; then one index-only count decides whether the hour's alert is due.
    Call it once per read of one record, never from list pages."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if kind not in ReadKind.values:
        raise ValueError(f"Unknown read kind {kind!r}")
    now = timezone.now()
    entry = ReadLogEntry.objects.create(
        at=now,
        user=user,
        kind=kind,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        person_id=person_id if person_id is not None else _person_id(obj),
        path=(request.get_full_path()[:500] if request is not None else ""),
        ip=_client_ip(request),
    )
    if entry.person_id is not None:
        read_alert_check(user=user, now=now)
    return entry


def persons_read(*, user, since: datetime.datetime, until: datetime.datetime | None = None) -> int:
    """Distinct person files `user` opened in (since, until]."""
    window = Q(at__gt=since) & (Q(at__lte=until) if until else Q())
    return ReadLogEntry.objects.filter(window, user=user, person__isnull=False).values("person_id").distinct().count()


def read_alert_check(*, user, now: datetime.datetime) -> ReadAlert | None:
    """Raise the alert when `user` opened more than the allowed number of distinct person files in
    the hour up to `now`: one ReadAlert per user and clock hour, and a notification to every
    active administrator. Returns the alert raised by this call, if any."""
    threshold = alert_threshold()
    count = persons_read(user=user, since=now - WINDOW, until=now)
    if count <= threshold:
        return None
    window_start = now.replace(minute=0, second=0, microsecond=0)
    if ReadAlert.objects.filter(user=user, window_start=window_start).exists():
        return None
    try:
        with transaction.atomic():
            alert = ReadAlert.objects.create(
                user=user, window_start=window_start, persons_count=count, threshold=threshold, created_at=now
            )
            _notify_administrators(alert)
    except IntegrityError:  # a concurrent read of the same user raised it first
        return None
    except Exception:  # never refuse the read itself; the next read of the hour tries again
        logger.exception("Read alert for user %s could not be raised.", user.pk)
        return None
    logger.warning("Read alert: user %s opened %s person files within an hour (allowed %s).", user.pk, count, threshold)
    return alert


def administrators():
    from core.models import User
    from core.roles import Role

    return User.objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR), is_active=True).distinct()


def _notify_administrators(alert: ReadAlert) -> None:
    from notifications.events import Event
    from notifications.services import notify

    reader = alert.user
    context = {
        "reader": reader.get_full_name() or reader.username,
        "username": reader.username,
        "count": alert.persons_count,
        "threshold": alert.threshold,
        "hour": timezone.localtime(alert.window_start).strftime("%d.%m.%Y %H:00"),
    }
    for admin in administrators():
        notify(event=Event.READ_ALERT, key=f"read-alert:{alert.pk}:{admin.pk}", user=admin, context=context)


@transaction.atomic
def read_alert_review(*, alert: ReadAlert, actor) -> ReadAlert:
    """An administrator looked into the alert (the row stays; only its review is recorded)."""
    if alert.reviewed_at is None:
        alert.reviewed_at = timezone.now()
        alert.reviewed_by = actor
        alert.save(update_fields=["reviewed_at", "reviewed_by"])
    return alert
