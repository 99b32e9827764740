"""Citizenship rows of the caseworker's work queue (core.home)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citizenship import selectors
from citizenship.models import CLOCK_RUNNING_STATES, State
from core.home import QueueItem, deadline_items, returned_items


def _url(application) -> str:
    return reverse("admin:citizenship_citizenshipapplication_change", args=[application.pk])


def citizenship_deadlines(*, user, today: datetime.date) -> list[QueueItem]:
    applications = selectors.application_list(user=user, today=today).filter(
        state__in=CLOCK_RUNNING_STATES, decision_due__lte=today
    )
    return deadline_items(
        applications, kind=_("citizenship application"), person=lambda a: a.person, url=_url, today=today
    )


def citizenship_returned(*, user, today: datetime.date) -> list[QueueItem]:
    return returned_items(
        selectors.application_list(user=user, today=today), returned_state=State.RETURNED,
        kind=_("citizenship application"), person=lambda a: a.person, url=_url, today=today,
    )  # fmt: skip
