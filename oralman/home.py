"""The caseworker's work queue (core.home): my cases, status decisions due, returned applications,
statuses expiring soon. One query per source, in the user's scope."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.home import QueueItem, deadline_items, returned_items
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


def _application_url(application) -> str:
    return reverse("admin:oralman_statusapplication_change", args=[application.pk])


def status_deadlines(*, user, today: datetime.date) -> list[QueueItem]:
    applications = selectors.application_list(user=user).filter(
        state__in=OPEN_APPLICATION_STATES, decision_due__lte=today
    )
    return deadline_items(
        applications, kind=_("status application"), person=lambda a: a.applicant, url=_application_url, today=today
    )


def status_returned(*, user, today: datetime.date) -> list[QueueItem]:
    return returned_items(
        selectors.application_list(user=user), returned_state=ApplicationState.RETURNED,
        kind=_("status application"), person=lambda a: a.applicant, url=_application_url, today=today,
    )  # fmt: skip


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
