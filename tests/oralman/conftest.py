"""Fixtures for the case-file tests: API clients per role and applications in any state."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from oralman import services
from oralman.models import ApplicationState, RefusalGround, StatusApplication
from tests.factories import PersonFactory, StatusApplicationFactory

S = ApplicationState


@pytest.fixture
def api():
    """Returns an API client logged in (session) as the given user."""

    def _client(user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return _client


@pytest.fixture
def ground(db) -> RefusalGround:
    return RefusalGround.objects.get(code="false-documents")


# A path of legal moves from a draft to each state, so fixtures build cases the way services do.
PATH_TO = {
    S.DRAFT: [],
    S.SUBMITTED: [S.SUBMITTED],
    S.UNDER_REVIEW: [S.SUBMITTED, S.UNDER_REVIEW],
    S.RETURNED: [S.SUBMITTED, S.RETURNED],
    S.COMMISSION: [S.SUBMITTED, S.UNDER_REVIEW, S.COMMISSION],
    S.GRANTED: [S.SUBMITTED, S.UNDER_REVIEW, S.GRANTED],
    S.REFUSED: [S.SUBMITTED, S.UNDER_REVIEW, S.REFUSED],
    S.WITHDRAWN: [S.WITHDRAWN],
}


def through_commission(application, *, actor, today=None, recommendation="grant"):
    """Under a rule with a commission step, take a reviewed case through the commission first."""
    application.refresh_from_db()
    if application.state == S.UNDER_REVIEW and services._rule_of(application).commission_working_days:
        services.application_refer_to_commission(application=application, actor=actor, today=today)
        application.refresh_from_db()
    if application.state == S.COMMISSION and not application.commission_recommendation:
        services.application_commission_recommend(
            application=application, actor=actor, recommendation=recommendation, today=today
        )
    application.refresh_from_db()


def perform(application: StatusApplication, to_state: str, *, actor, ground=None, today=None):
    """Call the service that moves `application` to `to_state` (the one the admin and API call)."""
    if to_state == S.SUBMITTED:
        return services.application_submit(application=application, actor=actor, today=today)
    if to_state == S.UNDER_REVIEW:
        return services.application_start_review(application=application, actor=actor)
    if to_state == S.RETURNED:
        return services.application_return(application=application, actor=actor, reason="birth certificate missing")
    if to_state == S.COMMISSION:
        return services.application_refer_to_commission(application=application, actor=actor, today=today)
    if to_state == S.GRANTED:
        through_commission(application, actor=actor, today=today)
        return services.application_grant(application=application, actor=actor, today=today)
    if to_state == S.REFUSED:
        through_commission(application, actor=actor, today=today, recommendation="refuse")
        ground = ground or RefusalGround.objects.get(code="false-documents")
        return services.application_refuse(application=application, actor=actor, ground=ground, reason="forged")
    if to_state == S.WITHDRAWN:
        return services.application_withdraw(application=application, actor=actor, reason="applicant moved abroad")
    if to_state == S.DRAFT:
        # No service leads back to a draft; the guard every service uses must refuse it.
        from django.db import transaction

        with transaction.atomic():
            return services.MACHINE.move(application, S.DRAFT, actor=actor, reason="back to draft", lock=True)
    raise AssertionError(to_state)


@pytest.fixture
def make_application(caseworker):
    """make_application(state, **factory_kwargs): an application brought to `state` by services."""

    def _make(state: str = S.DRAFT, *, actor=None, today: datetime.date | None = None, **kwargs):
        application = StatusApplicationFactory(**kwargs)
        for step in PATH_TO[state]:
            perform(application, step, actor=actor or caseworker, today=today)
        application.refresh_from_db()
        return application

    return _make


@pytest.fixture
def person_in(db):
    """person_in(region_code) -> a person living in that region."""
    from tests.factories import region

    def _make(code: str = "pavlodar", **kwargs):
        return PersonFactory(region=region(code), **kwargs)

    return _make
