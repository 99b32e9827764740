"""The scheduled jobs that notify (run by Celery beat through notifications.tasks).

Each job is idempotent: the notification key names the case and the date it is about, so a job run
twice (or re-run after an outage) never sends a second message for the same thing.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone, translation

from core.models import User
from core.roles import Role
from core.workdays import add_working_days, is_working_day
from notifications.deadlines import deadlines_by_region
from notifications.events import Event
from notifications.models import Notification
from notifications.services import notify


def expiring_statuses(*, today: datetime.date, days_ahead: int):
    """Active statuses (not terminated) whose certificate is still valid today and ends within
    `days_ahead` days: valid_until in [today, today + days_ahead]."""
    from oralman.models import KandasStatus

    return (
        KandasStatus.objects.filter(
            terminated_on__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=days_ahead),
        )
        .select_related("person")
        .order_by("valid_until", "pk")
    )


def status_expiring_key(status) -> str:
    # The expiry date is part of the key: an extended status is reminded again of its new end.
    return f"status-{status.pk}-expiring-{status.valid_until.isoformat()}"


def status_expiring_remind(*, today: datetime.date | None = None, days_ahead: int = 30) -> int:
    """Remind every holder of a status that ends within `days_ahead` days (once per end date).

    A window rather than one exact day, so a day the job did not run is caught up the next day.
    Returns the number of new notifications."""
    today = today or timezone.localdate()
    statuses = list(expiring_statuses(today=today, days_ahead=days_ahead))
    already = set(
        Notification.objects.filter(key__in=[status_expiring_key(s) for s in statuses]).values_list("key", flat=True)
    )
    created = 0
    for status in statuses:
        key = status_expiring_key(status)
        if key in already:
            continue
        with transaction.atomic():
            notify(
                event=Event.STATUS_EXPIRING,
                key=key,
                person=status.person,
                context={
                    "certificate_number": status.certificate_number,
                    "valid_until": status.valid_until.isoformat(),
                    "days_left": (status.valid_until - today).days,
                },
            )
        created += 1
    return created


def digest_horizon(today: datetime.date, working_days: int) -> datetime.date:
    """The last day the digest covers: today plus `working_days` working days."""
    return add_working_days(today, working_days)


def deadline_digest_send(*, today: datetime.date | None = None, working_days: int = 3) -> int:
    """Send each caseworker the open cases of their region whose decision is due today or in the
    coming `working_days` working days (overdue ones too). Runs only on working days; a caseworker
    with nothing due gets nothing. Returns the number of new digests."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        return 0
    until = digest_horizon(today, working_days)
    caseworkers = list(
        User.objects.filter(is_active=True, groups__name=Role.CASEWORKER, region__isnull=False)
        .distinct()
        .order_by("pk")
    )
    by_region = deadlines_by_region(sorted({u.region_id for u in caseworkers}), until)
    keys = {u.pk: f"deadline-digest-{u.pk}-{today.isoformat()}" for u in caseworkers}
    already = set(Notification.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    created = 0
    for user in caseworkers:
        items = by_region.get(user.region_id)
        if not items or keys[user.pk] in already:
            continue
        with translation.override(user.preferred_language or "ru"):
            rows = [item.as_context(today) for item in items]
        with transaction.atomic():
            notify(
                event=Event.CASEWORKER_DEADLINE_DIGEST,
                key=keys[user.pk],
                user=user,
                context={
                    "date": today.isoformat(),
                    "until": until.isoformat(),
                    "items": rows,
                    "count": len(rows),
                    "overdue_count": sum(1 for row in rows if row["overdue"]),
                },
            )
        created += 1
    return created
