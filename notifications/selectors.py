"""Reads of the outbox, always through the user's scope."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.roles import Role, role_of
from core.scoping import scope_by_region
from notifications.models import Notification

State = Notification.State


def notification_list(*, user) -> QuerySet[Notification]:
    """Administrators: every notification; caseworkers: their region's; nobody else (the messages are
    personal data and analysts work with aggregates)."""
    queryset = Notification.objects.select_related("person", "user", "region")
    if role_of(user) == Role.MINISTRY_ANALYST:
        return queryset.none()
    return scope_by_region(queryset, user)


def today_bounds(today: datetime.date | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    """The start and end of the local day (Asia/Almaty), as aware datetimes."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def notification_counts_today(*, queryset: QuerySet[Notification], today: datetime.date | None = None) -> dict:
    """Sent today, failed today (by the local day) and waiting now (pending or sending), in one query."""
    start, end = today_bounds(today)
    return queryset.aggregate(
        sent=Count("pk", filter=Q(state=State.SENT, sent_at__gte=start, sent_at__lt=end)),
        failed=Count("pk", filter=Q(state=State.FAILED, failed_at__gte=start, failed_at__lt=end)),
        pending=Count("pk", filter=Q(state__in=[State.PENDING, State.SENDING])),
    )
