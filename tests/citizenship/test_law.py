"""The citizenship rules of DOMAIN.md "Citizenship" (issue 12), one test per rule:
registration (not decree), a valid status on submission, the person's citizenship moving to
Kazakhstan with the former one kept, minor children following, the due date on a working day,
and the existing data moved forward (published 2021-2023 grants, demo citizens)."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from citizenship import services
from citizenship.models import Basis, CitizenshipApplication, CitizenshipRule, FollowingChild, HistoricalAdmission
from core.errors import DomainError
from core.models import Country
from core.workdays import is_working_day
from oralman.models import Family, FamilyMember, KandasStatus, Person, Relationship, TerminationReason
from tests.citizenship import factories as f
from tests.factories import KandasStatusFactory, PersonFactory

TODAY = timezone.localdate
BODY = "УМС ДП Павлодарской области"


def _grant(app, actor, **kwargs):
    kwargs.setdefault("registering_body", BODY)
    kwargs.setdefault("registration_number", "РП-77")
    kwargs.setdefault("registration_date", TODAY())
    kwargs.setdefault("iin", f.free_iin(app.person))
    return services.application_grant(application=app, actor=actor, **kwargs)


def _years_ago(years: int, days: int = 0) -> datetime.date:
    today = TODAY()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def _family_with_children(*ages_and_days):
    """A kandas head with a spouse and children born `years` ago (minus `days`), on one family file."""
    head, _status = f.kandas()
    family = Family.objects.create(head=head, region=head.region)
    FamilyMember.objects.create(family=family, person=head, relationship=Relationship.HEAD)
    children = []
    for years, days in ages_and_days:
        child = PersonFactory(birth_date=_years_ago(years, days), citizenship=head.citizenship)
        KandasStatusFactory(person=child)
        FamilyMember.objects.create(family=family, person=child, relationship=Relationship.CHILD)
        children.append(child)
    return head, family, children


# --- 1. Registration by the internal-affairs bodies, not a Presidential decree ------------------


def test_a_kandas_grant_records_the_registering_body_number_and_date(db, caseworker):
    app = f.application(state="under_review")
    _grant(app, caseworker, registration_number="РП-2026-15", registration_date=TODAY())
    app.refresh_from_db()
    assert (app.registering_body, app.registration_number, app.registration_date) == (BODY, "РП-2026-15", TODAY())
    assert app.is_registration
    assert BODY in app.transitions.get(to_state="granted").reason


def test_the_database_refuses_a_grant_without_the_registering_body(db):
    app = f.application(state="under_review")
    with pytest.raises(IntegrityError, match="citizenship_grant_has_registration_and_iin"), transaction.atomic():
        CitizenshipApplication.objects.filter(pk=app.pk).update(
            state="granted", decided_on=TODAY(), registration_number="1", registration_date=TODAY(),
            iin_assigned=f.free_iin(app.person),
        )  # fmt: skip


def test_only_the_general_procedure_is_a_decree(db):
    assert CitizenshipApplication(basis=Basis.ORALMAN).is_registration
    assert CitizenshipApplication(basis=Basis.FORMER_CITIZEN).is_registration
    assert not CitizenshipApplication(basis=Basis.GENERAL).is_registration


# --- 2. A valid status on the day of submission ---------------------------------------------------


def test_submission_refuses_an_expired_status(db, caseworker):
    person, status = f.kandas(issued_on=TODAY() - datetime.timedelta(days=400))
    with pytest.raises(DomainError) as exc:
        services.application_submit(person=person, basis=Basis.ORALMAN, region=person.region, actor=caseworker)
    assert exc.value.code == "status_expired" and exc.value.field == "basis"
    assert str(status.valid_until) in str(exc.value.message)


def test_submission_refuses_a_status_ended_by_departure(db, caseworker):
    person, status = f.kandas()
    KandasStatus.objects.filter(pk=status.pk).update(
        terminated_on=TODAY() - datetime.timedelta(days=2), termination_reason=TerminationReason.DEPARTURE
    )
    with pytest.raises(DomainError) as exc:
        services.application_submit(person=person, basis=Basis.ORALMAN, region=person.region, actor=caseworker)
    assert exc.value.code == "status_ended"
    assert not CitizenshipApplication.objects.filter(person=person).exists()


@pytest.mark.parametrize("reason", [TerminationReason.REVOKED, TerminationReason.DEATH, TerminationReason.CITIZENSHIP])
def test_submission_refuses_any_ended_status(db, caseworker, reason):
    person, status = f.kandas()
    KandasStatus.objects.filter(pk=status.pk).update(terminated_on=TODAY(), termination_reason=reason)
    with pytest.raises(DomainError) as exc:
        services.application_submit(person=person, basis=Basis.ORALMAN, region=person.region, actor=caseworker)
    assert exc.value.code == "status_ended"


def test_submission_refuses_a_status_issued_after_the_submission_day(db, caseworker):
    person, _status = f.kandas(issued_on=TODAY() - datetime.timedelta(days=3))
    with pytest.raises(DomainError) as exc:
        services.application_submit(
            person=person, basis=Basis.ORALMAN, region=person.region, actor=caseworker,
            submitted_on=TODAY() - datetime.timedelta(days=10),
        )  # fmt: skip
    assert exc.value.code == "no_valid_status"


def test_submission_accepts_a_status_valid_on_the_last_day(db, caseworker):
    person, status = f.kandas(issued_on=TODAY() - datetime.timedelta(days=364))
    assert status.valid_until == TODAY()
    app = services.application_submit(person=person, basis=Basis.ORALMAN, region=person.region, actor=caseworker)
    assert app.pk


# --- 3. The person's citizenship becomes Kazakhstan; minor children follow ----------------------


def test_grant_moves_the_citizenship_to_kazakhstan_and_keeps_the_former_one(db, caseworker):
    person, status = f.kandas()
    china = person.citizenship
    app = f.application(person=person, state="under_review")
    _grant(app, caseworker)
    person.refresh_from_db()
    status.refresh_from_db()
    assert person.citizenship.iso2 == "KZ"
    assert person.former_citizenship == china
    assert person.citizen_since == TODAY()
    assert (status.terminated_on, status.termination_reason) == (TODAY(), TerminationReason.CITIZENSHIP)


def test_children_under_14_follow_the_parent_and_their_status_ends(db, caseworker):
    head, _family, (small,) = _family_with_children((5, 0))
    app = f.application(person=head, state="under_review")
    result = _grant(app, caseworker)
    small.refresh_from_db()
    assert small.citizenship.iso2 == "KZ" and small.former_citizenship.iso2 == "CN"
    assert small.citizen_since == TODAY()
    assert KandasStatus.objects.get(person=small).termination_reason == TerminationReason.CITIZENSHIP
    assert [c.child for c in result.children] == [small]
    assert FollowingChild.objects.get(application=app, child=small).followed_on == TODAY()


def test_a_child_of_14_to_18_follows_only_with_a_recorded_consent(db, caseworker):
    head, _family, (teen, other_teen) = _family_with_children((15, 0), (16, 0))
    app = f.application(person=head, state="under_review")
    assert services.children_needing_consent(app) == [other_teen, teen]
    services.application_record_child_consent(application=app, child=teen, consent_on=TODAY(), actor=caseworker)
    result = _grant(app, caseworker)
    teen.refresh_from_db()
    other_teen.refresh_from_db()
    assert teen.citizenship.iso2 == "KZ" and teen.citizen_since == TODAY()
    assert other_teen.citizenship.iso2 == "CN" and other_teen.citizen_since is None
    assert any(other_teen.full_name in w and "согласие" in w for w in result.warnings)


def test_an_adult_child_does_not_follow(db, caseworker):
    head, _family, (adult,) = _family_with_children((18, 1))
    app = f.application(person=head, state="under_review")
    result = _grant(app, caseworker)
    adult.refresh_from_db()
    assert adult.citizen_since is None and result.children == []


def test_a_consent_is_refused_for_a_child_under_14_or_not_on_the_file(db, caseworker):
    head, _family, (small,) = _family_with_children((10, 0))
    app = f.application(person=head, state="under_review")
    with pytest.raises(DomainError) as exc:
        services.application_record_child_consent(application=app, child=small, consent_on=TODAY(), actor=caseworker)
    assert exc.value.code == "consent_not_needed"
    stranger = PersonFactory(birth_date=_years_ago(15))
    with pytest.raises(DomainError) as exc:
        services.application_record_child_consent(application=app, child=stranger, consent_on=TODAY(), actor=caseworker)
    assert exc.value.code == "not_a_minor_child"


def test_the_api_records_a_child_consent(client, caseworker):
    head, _family, (teen,) = _family_with_children((15, 0))
    app = f.application(person=head, state="under_review")
    client.force_login(caseworker)
    response = client.post(
        f"/api/v1/citizenship-applications/{app.pk}/child-consent/",
        {"child": teen.pk, "consent_on": TODAY().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["children"][0]["consent_on"] == TODAY().isoformat()


# --- 4. The due date is a working day -------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        (datetime.date(2026, 3, 7), datetime.date(2026, 6, 8)),  # 7 June 2026 is a Sunday
        (datetime.date(2025, 12, 22), datetime.date(2026, 3, 26)),  # 22 March 2026: Nauryz days off
        (datetime.date(2026, 2, 8), datetime.date(2026, 5, 8)),  # a working day stays
    ],
)
def test_the_decision_due_date_moves_to_the_next_working_day(db, submitted, due):
    assert services.decision_deadline(submitted) == due
    assert is_working_day(due)


def test_the_deadline_months_stay_configurable(db):
    CitizenshipRule.objects.create(valid_from=datetime.date(2026, 1, 1), decision_months=2)
    assert services.decision_deadline(datetime.date(2026, 2, 8)) == datetime.date(2026, 4, 8)


# --- Existing data moves forward ---------------------------------------------------------------


def test_the_published_2021_to_2023_grants_are_carried(db):
    counts = {(h.year, h.basis): h.count for h in HistoricalAdmission.objects.filter(year__in=[2021, 2022, 2023])}
    assert counts == {
        (2021, "not_stated"): 24_120, (2022, "not_stated"): 22_114, (2023, "oralman"): 20_523, (2023, "other"): 6_305,
    }  # fmt: skip
    assert not HistoricalAdmission.objects.filter(year__in=[2021, 2022, 2023], illustrative=True).exists()


def test_the_migration_makes_existing_citizens_citizens_of_kazakhstan(db):
    migration = importlib.import_module("citizenship.migrations.0004_citizens_of_kazakhstan_published_grants")
    uzbekistan = Country.objects.get(iso2="UZ")
    person = PersonFactory(citizenship=uzbekistan, citizen_since=TODAY())
    stateless = PersonFactory(citizenship=None, citizen_since=TODAY())
    foreigner = PersonFactory()
    migration.forward(django_apps, None)
    person.refresh_from_db()
    stateless.refresh_from_db()
    foreigner.refresh_from_db()
    assert (person.citizenship.iso2, person.former_citizenship) == ("KZ", uzbekistan)
    assert (stateless.citizenship.iso2, stateless.former_citizenship) == ("KZ", None)
    assert foreigner.citizenship.iso2 == "CN" and foreigner.former_citizenship is None


def test_demo_citizens_are_citizens_of_kazakhstan(db, caseworker, administrator):
    import random

    from citizenship.demo import load_demo

    for _ in range(8):
        f.kandas()
    load_demo(rng=random.Random(3), users={"caseworker.pavlodar": caseworker, "admin": administrator})
    citizens = Person.objects.filter(citizen_since__isnull=False)
    assert citizens.exists()
    assert set(citizens.values_list("citizenship__iso2", flat=True)) == {"KZ"}
    assert not citizens.filter(former_citizenship__isnull=True).exists()


def test_the_person_api_shows_the_former_citizenship_read_only(client, caseworker):
    app = f.application(state="under_review")
    _grant(app, caseworker)
    client.force_login(caseworker)
    body = client.get(f"/api/v1/persons/{app.person_id}/").json()
    assert body["former_citizenship"] == Country.objects.get(iso2="CN").pk
    assert body["citizenship"] == Country.objects.get(iso2="KZ").pk


def test_the_admin_offers_the_consent_button_and_records_the_consent(client, caseworker):
    head, _family, (teen,) = _family_with_children((16, 0))
    app = f.application(person=head, state="under_review")
    client.force_login(caseworker)
    page = client.get(f"/admin/citizenship/citizenshipapplication/{app.pk}/change/").content.decode()
    assert "Записать согласие ребёнка" in page
    url = f"/admin/citizenship/citizenshipapplication/{app.pk}/transition/child-consent/"
    response = client.post(url, {"child": teen.pk, "consent_on": TODAY().strftime("%d.%m.%Y")})
    assert response.status_code == 302
    assert FollowingChild.objects.get(application=app, child=teen).consent_on == TODAY()


def test_the_granted_state_says_admitted_to_citizenship_not_status_granted(db):
    from django.utils import translation

    from citizenship.models import State

    with translation.override("ru"):
        assert str(State.GRANTED.label) == "принят в гражданство"
    with translation.override("kk"):
        assert str(State.GRANTED.label) == "азаматтыққа қабылданды"
