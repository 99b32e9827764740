"""The kandas status: certificate validity, extension, termination and the daily expiry job."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from core.audit import history_for
from core.errors import DomainError
from oralman import services
from oralman.models import ApplicationState, KandasStatus, StatusRule, TerminationReason
from oralman.tasks import expire_statuses_task
from tests.factories import KandasStatusFactory, PersonFactory
from tests.oralman.conftest import perform, through_commission

S = ApplicationState
D = datetime.date


def _granted(make_application, caseworker, on: datetime.date, **kwargs) -> KandasStatus:
    application = make_application(S.UNDER_REVIEW, today=on, **kwargs)
    return perform(application, S.GRANTED, actor=caseworker, today=on)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("issued", "valid_until"),
    [
        # A term in years ends on the same day of the last year (Law on administrative procedures
        # art. 12-1; DOMAIN.md): issued 10.03.2026, valid through 10.03.2027 ...
        (D(2026, 3, 10), D(2027, 3, 10)),
        (D(2026, 3, 20), D(2027, 3, 20)),
        (D(2026, 1, 1), D(2027, 1, 1)),
        (D(2027, 12, 31), D(2028, 12, 31)),
        # ... and with no 29 February in the last year, its last day: 28.02.2029.
        (D(2028, 2, 29), D(2029, 2, 28)),
    ],
)
def test_a_grant_issues_a_certificate_valid_through_the_same_day_a_year_later(
    make_application, caseworker, issued, valid_until
):
    status = _granted(make_application, caseworker, issued)
    assert status.issued_on == issued
    assert status.valid_until == valid_until
    assert status.is_valid_on(issued) and status.is_valid_on(valid_until)
    assert not status.is_valid_on(valid_until + datetime.timedelta(days=1))
    assert status.application.decided_on == issued
    assert status.extensions == 0


@pytest.mark.django_db
def test_certificate_numbers_are_per_region_and_year_and_unique(make_application, caseworker):
    first = _granted(make_application, caseworker, D(2026, 3, 20))
    second = _granted(make_application, caseworker, D(2026, 4, 1))
    assert first.certificate_number == "KND-PAVLOD-2026-000001"
    assert second.certificate_number == "KND-PAVLOD-2026-000002"
    with pytest.raises(IntegrityError), transaction.atomic():
        KandasStatusFactory(certificate_number=first.certificate_number)


@pytest.mark.django_db
def test_a_grant_with_a_used_certificate_number_is_refused_and_rolled_back(make_application, caseworker, administrator):
    used = _granted(make_application, caseworker, D(2026, 3, 20))
    application = make_application(S.UNDER_REVIEW)
    through_commission(application, actor=caseworker)
    with pytest.raises(DomainError) as exc:
        services.application_grant(
            application=application, actor=administrator, certificate_number=used.certificate_number
        )
    assert exc.value.field == "certificate_number"
    application.refresh_from_db()
    assert application.state == S.COMMISSION, "the state change is rolled back with the failed grant"


@pytest.mark.django_db
def test_a_person_holds_one_active_status_at_a_time():
    status = KandasStatusFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        KandasStatusFactory(person=status.person)


# --- Extension ------------------------------------------------------------------------------


@pytest.fixture
def status(make_application, caseworker):
    return _granted(make_application, caseworker, D(2026, 3, 20))  # valid until 2027-03-20


@pytest.mark.django_db
def test_the_extension_window_comes_from_the_status_rule(status):
    opens, closes = services.extension_window(status)
    assert opens == D(2027, 2, 18)  # 30 days before expiry
    assert closes == D(2027, 9, 20)  # 6 months after expiry


@pytest.mark.django_db
def test_an_extension_inside_the_window_adds_six_months(status, caseworker):
    extended = services.status_extend(status=status, actor=caseworker, today=D(2027, 3, 1))
    assert extended.valid_until == D(2027, 9, 20)  # six months from the end of the term, same day
    assert extended.extensions == 1


@pytest.mark.django_db
def test_an_extension_may_be_shorter_but_not_longer_than_the_rule(status, caseworker):
    with pytest.raises(DomainError) as exc:
        services.status_extend(status=status, actor=caseworker, today=D(2027, 3, 1), months=7)
    assert exc.value.field == "months"
    extended = services.status_extend(status=status, actor=caseworker, today=D(2027, 3, 1), months=3)
    assert extended.valid_until == D(2027, 6, 20)


@pytest.mark.django_db
@pytest.mark.parametrize("day", [D(2027, 2, 17), D(2027, 9, 21), D(2026, 6, 1)])
def test_an_extension_outside_the_window_is_refused(status, caseworker, day):
    with pytest.raises(DomainError) as exc:
        services.status_extend(status=status, actor=caseworker, today=day)
    assert "2027-02-18" in str(exc.value.message) and "2027-09-20" in str(exc.value.message)
    status.refresh_from_db()
    assert status.extensions == 0


@pytest.mark.django_db
@pytest.mark.parametrize("day", [D(2027, 2, 18), D(2027, 9, 20)])
def test_the_window_includes_its_first_and_last_day(status, caseworker, day):
    assert services.status_extend(status=status, actor=caseworker, today=day).extensions == 1


@pytest.mark.django_db
def test_a_second_extension_is_refused_by_default(status, caseworker):
    services.status_extend(status=status, actor=caseworker, today=D(2027, 3, 1))
    with pytest.raises(DomainError):
        services.status_extend(status=status, actor=caseworker, today=D(2027, 9, 1))
    status.refresh_from_db()
    assert status.extensions == 1


@pytest.mark.django_db
def test_the_extension_count_and_length_follow_the_rule_in_force_at_issue(make_application, caseworker):
    StatusRule.objects.create(valid_from=D(2026, 1, 1), extension_months=3, max_extensions=2)
    status = _granted(make_application, caseworker, D(2026, 3, 20))
    services.status_extend(status=status, actor=caseworker, today=D(2027, 3, 1))
    status.refresh_from_db()
    assert status.valid_until == D(2027, 6, 20)
    services.status_extend(status=status, actor=caseworker, today=D(2027, 6, 1))
    status.refresh_from_db()
    assert (status.valid_until, status.extensions) == (D(2027, 9, 20), 2)
    with pytest.raises(DomainError):
        services.status_extend(status=status, actor=caseworker, today=D(2027, 9, 1))


@pytest.mark.django_db
def test_an_expired_status_can_still_be_extended_within_the_window(status, caseworker):
    assert services.status_expire_due(today=D(2027, 4, 1)) == 1
    status.refresh_from_db()
    assert status.termination_reason == TerminationReason.EXPIRY

    extended = services.status_extend(status=status, actor=caseworker, today=D(2027, 5, 10))
    assert extended.terminated_on is None and extended.termination_reason == ""
    assert extended.valid_until == D(2027, 11, 10)  # six months from the day of the extension, same day
    assert extended.is_valid_on(D(2027, 6, 1))


# --- Termination ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "reason",
    [TerminationReason.CITIZENSHIP, TerminationReason.REVOKED, TerminationReason.DEPARTURE, TerminationReason.DEATH],
)
def test_a_status_ends_early_with_its_reason(status, caseworker, reason):
    ended = services.status_terminate(status=status, actor=caseworker, reason=reason, on=D(2026, 8, 1), note="n")
    assert (ended.terminated_on, ended.termination_reason, ended.termination_note) == (D(2026, 8, 1), reason, "n")
    assert not ended.is_valid_on(D(2026, 9, 1))
    assert ended.state == "ended"


@pytest.mark.django_db
def test_a_terminated_status_cannot_be_terminated_again_or_extended(status, caseworker):
    services.status_terminate(status=status, actor=caseworker, reason=TerminationReason.REVOKED, on=D(2026, 8, 1))
    with pytest.raises(DomainError):
        services.status_terminate(status=status, actor=caseworker, reason=TerminationReason.DEATH)
    with pytest.raises(DomainError):
        services.status_extend(status=status, actor=caseworker, today=D(2027, 3, 1))


@pytest.mark.django_db
def test_termination_needs_a_known_reason_and_a_date_after_issue(status, caseworker):
    with pytest.raises(DomainError) as exc:
        services.status_terminate(status=status, actor=caseworker, reason="bored")
    assert exc.value.field == "reason"
    with pytest.raises(DomainError) as exc:
        services.status_terminate(status=status, actor=caseworker, reason=TerminationReason.DEPARTURE, on=D(2026, 1, 1))
    assert exc.value.field == "on"
    status.refresh_from_db()
    assert status.terminated_on is None


@pytest.mark.django_db
def test_the_database_requires_a_reason_with_a_termination_date(status):
    with pytest.raises(IntegrityError), transaction.atomic():
        KandasStatus.objects.filter(pk=status.pk).update(terminated_on=D(2026, 8, 1))


@pytest.mark.django_db
def test_after_termination_the_person_may_apply_again(status, caseworker):
    services.status_terminate(status=status, actor=caseworker, reason=TerminationReason.DEPARTURE, on=D(2026, 8, 1))
    application = services.application_create(applicant=status.person, region=status.person.region, actor=caseworker)
    assert application.state == S.DRAFT


# --- The daily expiry job -----------------------------------------------------------------------


@pytest.mark.django_db
def test_status_expire_due_closes_only_lapsed_statuses_and_is_idempotent():
    today = D(2027, 4, 1)
    lapsed = KandasStatusFactory(issued_on=D(2026, 3, 1), valid_until=D(2027, 2, 28))
    last_day = KandasStatusFactory(issued_on=D(2026, 4, 1), valid_until=D(2027, 3, 31))
    ends_today = KandasStatusFactory(issued_on=D(2026, 4, 2), valid_until=today)
    revoked = KandasStatusFactory(
        issued_on=D(2026, 1, 1), valid_until=D(2026, 12, 31), terminated_on=D(2026, 6, 1), termination_reason="revoked"
    )

    assert services.status_expire_due(today=today) == 2
    assert services.status_expire_due(today=today) == 0

    for obj in (lapsed, last_day, ends_today, revoked):
        obj.refresh_from_db()
    assert (lapsed.terminated_on, lapsed.termination_reason) == (D(2027, 3, 1), "expiry")
    assert (last_day.terminated_on, last_day.termination_reason) == (today, "expiry")
    assert ends_today.terminated_on is None
    assert (revoked.terminated_on, revoked.termination_reason) == (D(2026, 6, 1), "revoked")


@pytest.mark.django_db
def test_the_expiry_job_leaves_an_audit_event_naming_the_job():
    status = KandasStatusFactory(issued_on=D(2025, 1, 1), valid_until=D(2025, 12, 31))
    services.status_expire_due(today=D(2026, 1, 5))
    event = history_for(status).filter(pgh_label="update").get()
    assert event.pgh_diff["termination_reason"] == ["", "expiry"]
    assert event.pgh_context["job"] == "status_expire_due"
    assert event.pgh_context["user"] is None


@pytest.mark.django_db
def test_the_expiry_task_runs_the_job(db):
    status = KandasStatusFactory(
        person=PersonFactory(),
        issued_on=datetime.date.today() - datetime.timedelta(days=400),
        valid_until=datetime.date.today() - datetime.timedelta(days=35),
    )
    expire_statuses_task.delay()
    status.refresh_from_db()
    assert status.termination_reason == "expiry"
    expire_statuses_task.delay()  # a second run is a no-op
    status.refresh_from_db()
    assert status.terminated_on == status.valid_until + datetime.timedelta(days=1)


@pytest.mark.django_db
def test_the_data_migration_moves_running_certificates_to_the_same_day_rule():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("oralman.migrations.0006_status_law_data")
    short = KandasStatusFactory(issued_on=D(2026, 3, 10), valid_until=D(2027, 3, 9))
    extended = KandasStatusFactory(issued_on=D(2025, 3, 10), valid_until=D(2026, 9, 9), extensions=1)
    holder = KandasStatusFactory(issued_on=D(2026, 2, 1), valid_until=D(2027, 1, 31))
    holder.person.former_kz_citizen = None
    holder.person.save(update_fields=["former_kz_citizen"])

    migration.load(apps, None)
    migration.load(apps, None)  # idempotent

    short.refresh_from_db()
    extended.refresh_from_db()
    holder.person.refresh_from_db()
    assert short.valid_until == D(2027, 3, 10)
    assert extended.valid_until == D(2026, 9, 9), "an extended certificate is left as it was decided"
    assert holder.person.former_kz_citizen is False, "a status holder was checked: never a citizen"
