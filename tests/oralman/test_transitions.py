"""The status application's state machine: every pair of states, legal or not."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError
from oralman import services
from oralman.models import ApplicationState, ApplicationTransition, KandasStatus, StatusApplication
from tests.factories import StatusApplicationFactory
from tests.oralman.conftest import perform, through_commission

S = ApplicationState
ALL_PAIRS = list(itertools.product(S.values, S.values))
LEGAL_PAIRS = [(a, b) for a, b in ALL_PAIRS if b in services.LEGAL_TRANSITIONS[a]]
DECISIONS_WITHOUT_COMMISSION = {(S.UNDER_REVIEW, S.GRANTED), (S.UNDER_REVIEW, S.REFUSED)}
D = datetime.date
ILLEGAL_PAIRS = [(a, b) for a, b in ALL_PAIRS if b not in services.LEGAL_TRANSITIONS[a]]


def test_the_table_covers_every_state_and_the_final_states_lead_nowhere():
    assert set(services.LEGAL_TRANSITIONS) == set(S.values)
    for final in (S.GRANTED, S.REFUSED, S.WITHDRAWN):
        assert services.LEGAL_TRANSITIONS[final] == set()
    assert len(LEGAL_PAIRS) == 16
    assert len(ILLEGAL_PAIRS) == 64 - 16


@pytest.mark.django_db
@pytest.mark.parametrize(("from_state", "to_state"), LEGAL_PAIRS, ids=[f"{a}->{b}" for a, b in LEGAL_PAIRS])
def test_a_legal_transition_moves_and_records_who_when_why(make_application, caseworker, from_state, to_state):
    # A decision straight from review is legal only under a rule without the commission step (2024's).
    today = D(2024, 6, 3) if (from_state, to_state) in DECISIONS_WITHOUT_COMMISSION else None
    application = make_application(from_state, today=today)
    before = application.transitions.count()
    started = timezone.now()

    perform(application, to_state, actor=caseworker, today=today)

    application.refresh_from_db()
    assert application.state == to_state
    assert application.transitions.count() == before + 1
    last = application.transitions.order_by("-at", "-id").first()
    assert (last.from_state, last.to_state) == (from_state, to_state)
    assert last.actor == caseworker
    assert last.at >= started
    if to_state in (S.RETURNED, S.REFUSED, S.WITHDRAWN):
        assert last.reason, "a return, refusal or withdrawal records why"


@pytest.mark.django_db
@pytest.mark.parametrize(("from_state", "to_state"), ILLEGAL_PAIRS, ids=[f"{a}->{b}" for a, b in ILLEGAL_PAIRS])
def test_an_illegal_transition_is_refused_and_changes_nothing(make_application, caseworker, from_state, to_state):
    application = make_application(from_state)
    before = list(application.transitions.values_list("id", flat=True))
    statuses = KandasStatus.objects.count()

    with pytest.raises(DomainError) as exc:
        perform(application, to_state, actor=caseworker)

    assert exc.value.code == "illegal_transition"
    assert exc.value.field == "state"
    fresh = StatusApplication.objects.get(pk=application.pk)
    assert fresh.state == from_state
    assert fresh.decision_due == application.decision_due
    assert fresh.decided_on == application.decided_on
    assert list(fresh.transitions.values_list("id", flat=True)) == before
    assert KandasStatus.objects.count() == statuses


@pytest.mark.django_db
def test_legal_next_states_follow_the_table_in_a_stable_order():
    assert services.legal_next_states(S.UNDER_REVIEW) == [S.COMMISSION, S.RETURNED, S.GRANTED, S.REFUSED, S.WITHDRAWN]
    assert services.legal_next_states(S.GRANTED) == []


@pytest.mark.django_db
def test_a_full_case_leaves_its_whole_path_in_the_transitions(make_application, caseworker):
    application = make_application(S.RETURNED)
    perform(application, S.SUBMITTED, actor=caseworker)
    perform(application, S.UNDER_REVIEW, actor=caseworker)
    perform(application, S.GRANTED, actor=caseworker)

    path = list(application.transitions.values_list("from_state", "to_state"))
    assert path == [
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.RETURNED),
        (S.RETURNED, S.SUBMITTED),
        (S.SUBMITTED, S.UNDER_REVIEW),
        (S.UNDER_REVIEW, S.COMMISSION),  # the October 2025 rules: the commission recommends first
        (S.COMMISSION, S.GRANTED),
    ]
    assert application.transitions.get(from_state=S.RETURNED).reason


@pytest.mark.django_db
def test_a_refusal_records_its_ground_and_decision_date(make_application, caseworker, ground):
    application = make_application(S.UNDER_REVIEW)
    through_commission(application, actor=caseworker, recommendation="refuse")
    services.application_refuse(application=application, actor=caseworker, ground=ground, reason="forged passport")
    application.refresh_from_db()
    assert application.refusal_ground == ground
    assert application.decided_on == timezone.localdate()
    assert application.transitions.last().reason == "forged passport"


@pytest.mark.django_db
def test_a_refusal_without_a_ground_is_refused(make_application, caseworker):
    application = make_application(S.UNDER_REVIEW)
    with pytest.raises(DomainError) as exc:
        services.application_refuse(application=application, actor=caseworker, ground=None)
    assert exc.value.field == "refusal_ground"
    application.refresh_from_db()
    assert application.state == S.UNDER_REVIEW


@pytest.mark.django_db
def test_the_database_refuses_a_refusal_without_a_ground():
    application = StatusApplicationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusApplication.objects.filter(pk=application.pk).update(state=S.REFUSED)


@pytest.mark.django_db
def test_a_return_without_saying_what_is_missing_is_refused(make_application, caseworker):
    application = make_application(S.SUBMITTED)
    with pytest.raises(DomainError) as exc:
        services.application_return(application=application, actor=caseworker, reason="   ")
    assert exc.value.field == "reason"


@pytest.mark.django_db
def test_a_person_has_one_open_application_at_a_time(make_application, caseworker):
    application = make_application(S.SUBMITTED)
    with pytest.raises(DomainError):
        services.application_create(applicant=application.applicant, region=application.region, actor=caseworker)
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusApplication.objects.create(applicant=application.applicant, region=application.region)


@pytest.mark.django_db
def test_a_person_may_apply_again_after_a_refusal(make_application, caseworker):
    refused = make_application(S.REFUSED)
    again = services.application_create(applicant=refused.applicant, region=refused.region, actor=caseworker)
    assert again.state == S.DRAFT
    assert again.created_by == caseworker


@pytest.mark.django_db
def test_a_holder_of_an_active_status_cannot_apply(make_application, caseworker):
    granted = make_application(S.GRANTED)
    with pytest.raises(DomainError) as exc:
        services.application_create(applicant=granted.applicant, region=granted.region, actor=caseworker)
    assert exc.value.field == "applicant"


@pytest.mark.django_db
def test_a_citizen_cannot_apply(person_in, caseworker):
    person = person_in(citizen_since=timezone.localdate())
    with pytest.raises(DomainError):
        services.application_create(applicant=person, region=person.region, actor=caseworker)
    assert not ApplicationTransition.objects.exists()
