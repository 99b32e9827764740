"""The database itself refuses what the services refuse: overlapping stays, a second open stay,
a check-out before the check-in."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from adaptation_centers.models import Placement, PlacementOccupant
from tests.adaptation_centers.factories import CenterFactory
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def _stay(person, start, end=None):
    center = CenterFactory()
    placement = Placement.objects.create(
        center=center, person=person, beds=1, check_in_on=start, planned_check_out_on=start + datetime.timedelta(days=180),
        checked_out_on=end, check_out_reason="housing" if end else "",
    )  # fmt: skip
    return PlacementOccupant.objects.create(placement=placement, person=person, check_in_on=start, checked_out_on=end)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((D(2026, 1, 1), D(2026, 3, 1)), (D(2026, 2, 1), D(2026, 4, 1))),  # overlapping closed stays
        ((D(2026, 1, 1), D(2026, 3, 1)), (D(2026, 2, 28), None)),  # an open stay starting inside
        ((D(2026, 1, 1), None), (D(2025, 12, 1), D(2026, 1, 2))),  # ends inside an open stay
    ],
)
def test_overlapping_stays_of_one_person_are_refused_by_the_database(first, second):
    person = PersonFactory()
    _stay(person, *first)
    with (
        pytest.raises(IntegrityError, match="occupant_stays_do_not_overlap|one_active_placement_per_person"),
        transaction.atomic(),
    ):
        _stay(person, *second)
    assert PlacementOccupant.objects.filter(person=person).count() == 1


def test_back_to_back_stays_do_not_overlap():
    person = PersonFactory()
    _stay(person, D(2026, 1, 1), D(2026, 3, 1))
    _stay(person, D(2026, 3, 1))
    assert PlacementOccupant.objects.filter(person=person).count() == 2


def test_two_open_stays_of_one_person_are_refused_by_the_database():
    person = PersonFactory()
    _stay(person, D(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        _stay(person, D(2027, 1, 1))


def test_a_check_out_before_the_check_in_is_refused_by_the_database():
    with pytest.raises(IntegrityError, match="out_after_in"), transaction.atomic():
        _stay(PersonFactory(), D(2026, 3, 1), D(2026, 2, 1))
