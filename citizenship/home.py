"""Citizenship rows of the caseworker's work queue (core.home)."""

from __future__ import annotations

import datetime

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizenship import selectors
from citizenship.models import CLOCK_RUNNING_STATES, State
from core.home import QueueItem


def _url(application) -> str:
    return reverse("admin:citizenship_citizenshipapplication_change", args=[application.pk])


def citizenship_deadlines(*, user, today: datetime.date) -> list[QueueItem]:
    applications = (
        selectors.application_list(user=user, today=today)
        .filter(state__in=CLOCK_RUNNING_STATES, decision_due__lte=today)
        .order_by("decision_due", "pk")[:50]
    )
    return [
        QueueItem(
            kind=_("citizenship application"),
            reference=str(a.pk),
            person=str(a.person),
            url=_url(a),
            day=a.decision_due,
            days=(today - a.decision_due).days,
            urgent=a.decision_due < today,
            note=a.get_state_display(),
        )  # fmt: skip
        for a in applications
    ]


def citizenship_returned(*, user, today: datetime.date) -> list[QueueItem]:
    applications = (
        selectors.application_list(user=user, today=today)
        .filter(state=State.RETURNED)
        .annotate(returned_at=Max("transitions__at", filter=Q(transitions__to_state=State.RETURNED)))
        .order_by("returned_at", "pk")[:50]
    )
    items = []
    for a in applications:
        day = timezone.localtime(a.returned_at).date() if a.returned_at else None
        items.append(
            QueueItem(
                kind=_("citizenship application"),
                reference=str(a.pk),
                person=str(a.person),
                url=_url(a),
                day=day,
                days=(today - day).days if day else None,
            )  # fmt: skip
        )
    return items
