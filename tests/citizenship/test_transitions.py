import pytest
from django.utils import timezone

from citizenship import services
from citizenship.models import CitizenshipApplication, CitizenshipRefusalGround, State
from core.errors import DomainError
from tests.citizenship import factories as f

ALL_STATES = list(State.values)


def _move(app, to_state, actor):
    if to_state == State.UNDER_REVIEW:
        return services.application_start_review(application=app, actor=actor)
    if to_state == State.RETURNED:
        return services.application_return(application=app, actor=actor, reason="renunciation missing")
    if to_state == State.SUBMITTED:
        return services.application_resubmit(application=app, actor=actor)
    if to_state == State.WITHDRAWN:
        return services.application_withdraw(application=app, actor=actor, reason="applicant's letter")
    if to_state == State.GRANTED:
        return services.application_grant(
            application=app,
            actor=actor,
            registering_body="УМС ДП Павлодарской области",
            registration_number="77",
            registration_date=timezone.localdate(),
            iin=f.free_iin(app.person),
        ).application
    if to_state == State.REFUSED:
        return services.application_refuse(
            application=app, actor=actor, ground=CitizenshipRefusalGround.objects.get(code="grave-crime")
        )
    raise AssertionError(to_state)


LEGAL = [(a, b) for a in ALL_STATES for b in ALL_STATES if b in services.LEGAL_TRANSITIONS[a]]
ILLEGAL = [(a, b) for a in ALL_STATES for b in ALL_STATES if b not in services.LEGAL_TRANSITIONS[a]]


@pytest.mark.parametrize(("from_state", "to_state"), LEGAL)
def test_a_legal_move_changes_the_state_and_records_who_and_why(db, caseworker, from_state, to_state):
    app = f.application(state=from_state)
    before = app.transitions.count()
    _move(app, to_state, caseworker)
    app.refresh_from_db()
    assert app.state == to_state
    assert app.transitions.count() == before + 1
    last = app.transitions.last()
    assert (last.from_state, last.to_state, last.actor) == (from_state, to_state, caseworker)


@pytest.mark.parametrize(("from_state", "to_state"), ILLEGAL)
def test_an_illegal_move_is_refused_and_changes_nothing(db, caseworker, from_state, to_state):
    app = f.application(state=from_state)
    before = app.transitions.count()
    with pytest.raises(DomainError) as exc:
        _move(app, to_state, caseworker)
    assert exc.value.code == "illegal_transition"
    app.refresh_from_db()
    assert app.state == from_state
    assert app.transitions.count() == before


def test_the_table_covers_every_state_and_decisions_are_final():
    assert set(services.LEGAL_TRANSITIONS) == set(ALL_STATES)
    for final in (State.GRANTED, State.REFUSED, State.WITHDRAWN):
        assert services.legal_next_states(final) == []
    assert services.legal_next_states(State.UNDER_REVIEW) == [
        State.RETURNED,
        State.GRANTED,
        State.REFUSED,
        State.WITHDRAWN,
    ]


def test_filing_records_the_first_transition_and_the_three_month_deadline(db, caseworker):
    import datetime

    app = f.application(submitted_on=datetime.date(2026, 1, 31))
    assert app.decision_due == datetime.date(2026, 4, 30)
    first = app.transitions.first()
    assert (first.from_state, first.to_state) == ("", State.SUBMITTED)


def test_the_deadline_follows_the_rule_in_force_on_the_submission_day(db, caseworker):
    import datetime

    from citizenship.models import CitizenshipRule

    CitizenshipRule.objects.create(valid_from=datetime.date(2026, 1, 1), decision_months=2)
    assert services.decision_deadline(datetime.date(2025, 12, 31)) == datetime.date(2026, 3, 31)
    assert services.decision_deadline(datetime.date(2026, 1, 10)) == datetime.date(2026, 3, 10)


def test_an_application_past_its_deadline_is_overdue_until_decided(db, caseworker):
    import datetime

    from citizenship.selectors import application_list

    late = f.application(state="under_review", submitted_on=timezone.localdate() - datetime.timedelta(days=120))
    fresh = f.application(state="under_review")
    returned = f.application(state="returned", submitted_on=timezone.localdate() - datetime.timedelta(days=120))
    rows = {a.pk: a.overdue for a in application_list(user=caseworker)}
    assert rows == {late.pk: True, fresh.pk: False, returned.pk: False}
    assert late.is_overdue() and not fresh.is_overdue() and not returned.is_overdue()
    services.application_refuse(
        application=late, actor=caseworker, ground=CitizenshipRefusalGround.objects.get(code="expelled")
    )
    assert not CitizenshipApplication.objects.get(pk=late.pk).is_overdue()


def test_returning_needs_a_reason_and_notifies_the_applicant(db, caseworker, django_capture_on_commit_callbacks):
    app = f.application(state="under_review")
    with pytest.raises(DomainError) as exc:
        services.application_return(application=app, actor=caseworker, reason="  ")
    assert exc.value.field == "reason"
    app.refresh_from_db()
    assert app.state == State.UNDER_REVIEW


def test_a_refusal_records_its_ground(db, caseworker):
    app = f.application(state="under_review")
    with pytest.raises(DomainError) as exc:
        services.application_refuse(application=app, actor=caseworker, ground=None)
    assert exc.value.field == "refusal_ground"
    ground = CitizenshipRefusalGround.objects.get(code="security-threat")
    services.application_refuse(application=app, actor=caseworker, ground=ground, note="letter of the committee")
    app.refresh_from_db()
    assert app.state == State.REFUSED
    assert app.refusal_ground == ground
    assert app.decided_on == timezone.localdate()


def test_a_refused_person_may_apply_again(db, caseworker):
    app = f.application(state="refused")
    again = services.application_submit(person=app.person, basis=app.basis, region=app.region, actor=caseworker)
    assert again.state == State.SUBMITTED


def test_transitions_are_audited_with_the_acting_user(db, caseworker):
    from core.audit import history_for

    app = f.application(state="submitted")
    services.application_start_review(application=app, actor=caseworker)
    review = [e for e in history_for(app) if (e.pgh_diff or {}).get("state") == ["submitted", "under_review"]]
    assert len(review) == 1
    assert review[0].pgh_context["user"] == caseworker.pk


def test_open_applications_join_the_caseworkers_deadline_digest(db, caseworker):
    import datetime

    from notifications.deadlines import deadlines_by_region

    late = f.application(state="under_review", submitted_on=timezone.localdate() - datetime.timedelta(days=100))
    f.application(state="returned", submitted_on=timezone.localdate() - datetime.timedelta(days=100))
    f.application(state="submitted")  # due in about two months
    items = deadlines_by_region([caseworker.region_id], timezone.localdate() + datetime.timedelta(days=7))
    mine = [i for i in items.get(caseworker.region_id, []) if str(i.kind) == "заявление о приёме в гражданство"]
    assert [i.reference for i in mine] == [str(late.pk)]
