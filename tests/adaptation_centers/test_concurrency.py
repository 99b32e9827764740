"""50 simultaneous check-ins into a center with 10 free beds: exactly 10 placements, 40 refusals."""

import threading

import pytest
from django.db import connection

from adaptation_centers.models import Placement, PlacementOccupant
from adaptation_centers.services import beds_taken, placement_check_in
from core.errors import DomainError
from tests.adaptation_centers.conftest import user_with_role
from tests.adaptation_centers.factories import CenterFactory, family_of, refer, referred_check_in, staff_of
from tests.factories import PersonFactory


def _in_parallel(jobs):
    """Run every job in its own thread with its own database connection, released together."""
    barrier = threading.Barrier(len(jobs), timeout=60)
    results = [None] * len(jobs)

    def run(i, job):
        try:
            connection.ensure_connection()
            barrier.wait()
            results[i] = ("ok", job())
        except DomainError as exc:
            results[i] = ("refused", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_check_ins_into_ten_free_beds_give_ten_placements_and_forty_refusals():
    clerk = user_with_role("center_staff", username="race_clerk")
    center = CenterFactory(capacity=12)
    staff_of(center, clerk)
    referred_check_in(center=center, family=family_of(2), actor=clerk)  # 2 of 12 beds taken
    persons = [PersonFactory() for _ in range(50)]
    for p in persons:
        refer(center, person=p)

    results = _in_parallel([lambda p=p: placement_check_in(center=center, person=p, actor=clerk) for p in persons])

    outcomes = [r[0] for r in results]
    assert outcomes.count("ok") == 10
    assert outcomes.count("refused") == 40
    refusals = [r[1] for r in results if r[0] == "refused"]
    assert {e.code for e in refusals} == {"no_beds"}
    assert all("свободных мест: 0" in str(e.message) for e in refusals)
    assert Placement.objects.filter(center=center).count() == 11
    assert beds_taken(center) == 12


@pytest.mark.django_db(transaction=True)
def test_the_same_person_checked_in_at_two_centers_at_once_gets_one_placement():
    """A person has one open referral of their own, but may also be covered by their family's
    referral to another center: both desks check them in at the same moment; the database keeps one."""
    from oralman.models import FamilyMember

    clerk = user_with_role("center_staff", username="race_clerk2")
    centers = [CenterFactory() for _ in range(2)]
    for c in centers:
        staff_of(c, clerk)
    family = family_of(2)
    person = FamilyMember.objects.filter(family=family).exclude(person=family.head).get().person
    refer(centers[0], person=person)
    refer(centers[1], family=family)

    results = _in_parallel([lambda c=c: placement_check_in(center=c, person=person, actor=clerk) for c in centers])

    assert [r[0] for r in results].count("ok") == 1
    assert {r[1].code for r in results if r[0] == "refused"} == {"already_placed"}
    assert PlacementOccupant.objects.filter(person=person).count() == 1
