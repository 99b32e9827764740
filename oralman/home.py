"""The caseworker's work queue (core.home): my cases, status decisions due, returned applications,
statuses expiring soon. One query per source, in the user's scope."""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.home import QueueItem
from oralman import selectors
from oralman.models import OPEN_APPLICATION_STATES, ApplicationState

EXPIRING_DAYS = 60


def my_cases(*, user, today: datetime.date) -> list[QueueItem]:
    families = (
        selectors.family_list(user=user)
        .filter(assigned_caseworker=user)
        .annotate(
            size=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            open_applications=Count(
                "status_applications", filter=Q(status_applications__state__in=OPEN_APPLICATION_STATES), distinct=True
            ),
        )
        .order_by("-id")[:50]
    )
    return [
        QueueItem(
            kind=_("family"),
            reference=f"F-{f.pk}",
            person=str(f.head),
            url=reverse("admin:oralman_family_casefile", args=[f.pk]),
            note=_("Members: %(n)s") % {"n": f.size}
            + (f" · {_('open applications')}: {f.open_applications}" if f.open_applications else ""),
        )
        for f in families
    ]


def status_deadlines(*, user, today: datetime.date) -> list[QueueItem]:
    applications = (
        selectors.application_list(user=user)
        .filter(state__in=OPEN_APPLICATION_STATES, decision_due__lte=today)
        .order_by("decision_due", "pk")[:50]
    )
    return [
        QueueItem(
            kind=_("status application"),
            reference=str(a.pk),
            person=str(a.applicant),
            url=reverse("admin:oralman_statusapplication_change", args=[a.pk]),
            day=a.decision_due,
            days=(today - a.decision_due).days,
            urgent=a.decision_due < today,
            note=a.get_state_display(),
        )
        for a in applications
    ]


def status_returned(*, user, today: datetime.date) -> list[QueueItem]:
    applications = (
        selectors.application_list(user=user)
        .filter(state=ApplicationState.RETURNED)
        .annotate(returned_at=Max("transitions__at", filter=Q(transitions__to_state=ApplicationState.RETURNED)))
        .order_by("returned_at", "pk")[:50]
    )
    items = []
    for a in applications:
        day = timezone.localtime(a.returned_at).date() if a.returned_at else None
        items.append(
            QueueItem(
                kind=_("status application"),
                reference=str(a.pk),
                person=str(a.applicant),
                url=reverse("admin:oralman_statusapplication_change", args=[a.pk]),
                day=day,
                days=(today - day).days if day else None,
            )
        )
    return items


def statuses_expiring(*, user, today: datetime.date) -> list[QueueItem]:
    statuses = (
        selectors.status_list(user=user)
        .filter(terminated_on__isnull=True, valid_until__range=(today, today + datetime.timedelta(days=EXPIRING_DAYS)))
        .order_by("valid_until", "pk")[:50]
    )
    return [
        QueueItem(
            kind=_("kandas status"),
            reference=s.certificate_number,
            person=str(s.person),
            url=reverse("admin:oralman_kandasstatus_change", args=[s.pk]),
            day=s.valid_until,
            days=(s.valid_until - today).days,
            urgent=(s.valid_until - today).days <= 14,
        )
        for s in statuses
    ]
