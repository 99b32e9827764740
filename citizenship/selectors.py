"""Reads of citizenship applications, always through the user's scope: caseworkers their
region, administrators and ministry analysts (read-only) the whole country, nobody else."""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from citizenship.models import CLOCK_RUNNING_STATES, CitizenshipApplication, CitizenshipTransition
from core.scoping import scope_by_region


def application_list(*, user, today: datetime.date | None = None) -> QuerySet[CitizenshipApplication]:
    """Applications the user may see, with `overdue` computed in the database."""
    today = today or timezone.localdate()
    qs = CitizenshipApplication.objects.select_related(
        "person", "region", "former_citizenship", "refusal_ground"
    ).annotate(
        overdue=Case(
            When(Q(state__in=CLOCK_RUNNING_STATES, decision_due__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    return scope_by_region(qs, user)


def application_get(*, user, pk: int) -> CitizenshipApplication:
    return application_list(user=user).get(pk=pk)


def overdue_list(*, user, today: datetime.date | None = None) -> QuerySet[CitizenshipApplication]:
    return application_list(user=user, today=today).filter(overdue=True)


def transition_list(*, user, application: CitizenshipApplication) -> QuerySet[CitizenshipTransition]:
    return CitizenshipTransition.objects.filter(
        application__in=application_list(user=user).filter(pk=application.pk).values("pk")
    ).select_related("actor")


def citizenship_deadlines(region_ids: list[int], until: datetime.date):
    """Applications with the authority (submitted, under review) whose decision is due by `until`,
    for notifications.deadlines (the caseworkers' digest); overdue ones included."""
    from django.utils.translation import gettext_lazy as _

    from notifications.deadlines import DeadlineItem

    rows = (
        CitizenshipApplication.objects.filter(
            region_id__in=region_ids, state__in=CLOCK_RUNNING_STATES, decision_due__lte=until
        )
        .select_related("person")
        .order_by("decision_due", "pk")
    )
    kind = _("citizenship application")
    for application in rows:
        yield DeadlineItem(
            kind=kind,
            reference=str(application.pk),
            person=application.person.full_name,
            due=application.decision_due,
            region_id=application.region_id,
        )
