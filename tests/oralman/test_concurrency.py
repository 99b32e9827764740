"""Races between two caseworkers, each on their own database connection (real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.errors import DomainError
from oralman import services
from oralman.models import FamilyMember, KandasStatus, StatusApplication
from tests.factories import FamilyFactory, PersonFactory, StatusApplicationFactory
from tests.oralman.conftest import perform, through_commission


def race(*calls):
    """Run the calls at the same moment in threads; return each one's result or DomainError."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except DomainError as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_families_adding_the_same_person_at_once_keep_one(caseworker):
    first, second, child = FamilyFactory(), FamilyFactory(), PersonFactory()
    results = race(
        lambda: services.family_add_member(family=first, person=child, relationship="child", actor=caseworker),
        lambda: services.family_add_member(family=second, person=child, relationship="child", actor=caseworker),
    )
    assert sorted(type(r).__name__ for r in results) == ["DomainError", "FamilyMember"]
    assert FamilyMember.objects.filter(person=child, left_on__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_decisions_on_one_application_at_once_leave_one(caseworker, other_caseworker):
    application = StatusApplicationFactory()
    perform(application, "submitted", actor=caseworker)
    perform(application, "under_review", actor=caseworker)
    through_commission(application, actor=caseworker)
    from oralman.models import RefusalGround

    ground = RefusalGround.objects.first()
    results = race(
        lambda: services.application_grant(application=application, actor=caseworker),
        lambda: services.application_refuse(application=application, actor=caseworker, ground=ground),
    )
    assert sum(isinstance(r, DomainError) for r in results) == 1
    application = StatusApplication.objects.get(pk=application.pk)
    assert application.state in ("granted", "refused")
    assert KandasStatus.objects.filter(application=application).count() == (application.state == "granted")
    assert application.transitions.filter(to_state__in=["granted", "refused"]).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_grants_on_the_same_day_get_distinct_certificate_numbers(caseworker):
    applications = [StatusApplicationFactory() for _ in range(2)]
    for application in applications:
        perform(application, "submitted", actor=caseworker)
        perform(application, "under_review", actor=caseworker)
        through_commission(application, actor=caseworker)
    results = race(*[lambda a=a: services.application_grant(application=a, actor=caseworker) for a in applications])
    # The per-series advisory lock makes the second grant wait and take the next number.
    assert all(isinstance(r, KandasStatus) for r in results), results
    numbers = set(KandasStatus.objects.values_list("certificate_number", flat=True))
    assert len(numbers) == KandasStatus.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_grants_take_consecutive_numbers_from_the_series_row(caseworker):
    applications = [StatusApplicationFactory() for _ in range(4)]
    for application in applications:
        perform(application, "submitted", actor=caseworker)
        perform(application, "under_review", actor=caseworker)
        through_commission(application, actor=caseworker)
    results = race(*[lambda a=a: services.application_grant(application=a, actor=caseworker) for a in applications])
    assert all(isinstance(r, KandasStatus) for r in results), results
    sequences = sorted(
        int(n.rsplit("-", 1)[1]) for n in KandasStatus.objects.values_list("certificate_number", flat=True)
    )
    assert sequences == [1, 2, 3, 4]
