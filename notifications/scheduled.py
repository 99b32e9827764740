"""The caseworkers' deadline digest (run by Celery beat through notifications.tasks).

It knows deadlines, not domains: each app that owns a decision deadline registers its source in
notifications.deadlines (oralman: status applications; citizenship: citizenship applications).
Reminders about one domain's dates live with that domain (oralman.tasks: status expiring).

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
