import datetime

import pytest
from django.utils import timezone

from adaptation_centers.models import Placement, PlacementExtension, PlacementOccupant
from adaptation_centers.services import (
    free_beds,
    occupant_check_out,
    placement_check_out,
    placement_extend,
)
from core.errors import DomainError
from tests.adaptation_centers.factories import family_of, referred_check_in
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_check_out_frees_the_beds_and_closes_every_occupant(center, clerk):
    placement = referred_check_in(center=center, family=family_of(3), actor=clerk)
    assert free_beds(center) == 17
    placement_check_out(placement=placement, actor=clerk, reason="housing")
    placement.refresh_from_db()
    assert placement.checked_out_on == TODAY()
    assert placement.check_out_reason == "housing"
    assert not PlacementOccupant.objects.filter(placement=placement, checked_out_on__isnull=True).exists()
    assert free_beds(center) == 20


def test_check_out_before_check_in_is_refused_and_nothing_changes(center, clerk):
    placement = referred_check_in(
        center=center, person=PersonFactory(), actor=clerk, check_in_on=TODAY() - datetime.timedelta(days=2)
    )
    with pytest.raises(DomainError) as exc:
        placement_check_out(
            placement=placement, actor=clerk, reason="housing", checked_out_on=TODAY() - datetime.timedelta(days=3)
        )
    assert exc.value.field == "checked_out_on"
    assert "раньше даты заселения" in str(exc.value.message)
    placement.refresh_from_db()
    assert placement.checked_out_on is None
    assert PlacementOccupant.objects.get(placement=placement).checked_out_on is None


def test_a_second_check_out_is_refused(center, clerk):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    placement_check_out(placement=placement, actor=clerk, reason="voluntary")
    with pytest.raises(DomainError):
        placement_check_out(placement=placement, actor=clerk, reason="voluntary")


def test_check_out_needs_a_known_reason(center, clerk):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    with pytest.raises(DomainError) as exc:
        placement_check_out(placement=placement, actor=clerk, reason="")
    assert exc.value.field == "reason"


def test_a_person_may_stay_again_after_checking_out_the_same_day(center, clerk):
    person = PersonFactory()
    first = referred_check_in(
        center=center, person=person, actor=clerk, check_in_on=TODAY() - datetime.timedelta(days=4)
    )
    placement_check_out(placement=first, actor=clerk, reason="transferred")
    again = referred_check_in(center=center, person=person, actor=clerk)
    assert again.pk != first.pk


def test_one_member_can_leave_early_while_the_family_stays(center, clerk):
    placement = referred_check_in(center=center, family=family_of(2), actor=clerk)
    child = placement.occupants.exclude(person=placement.person).get()
    occupant_check_out(occupant=child, actor=clerk)
    assert Placement.objects.get(pk=placement.pk).checked_out_on is None
    assert PlacementOccupant.objects.filter(placement=placement, checked_out_on__isnull=True).count() == 1


def test_extension_moves_the_planned_check_out_and_records_the_reason(center, clerk):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    old = placement.planned_check_out_on
    new = old + datetime.timedelta(days=60)
    placement_extend(placement=placement, until=new, reason="Ожидает решения по квоте", actor=clerk)
    placement.refresh_from_db()
    assert placement.planned_check_out_on == new
    extension = PlacementExtension.objects.get(placement=placement)
    assert (extension.previous_check_out_on, extension.reason, extension.actor) == (
        old,
        "Ожидает решения по квоте",
        clerk,
    )


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [(30, "", "reason"), (0, "причина", "until"), (-5, "причина", "until")],
)
def test_extension_without_reason_or_to_an_earlier_date_is_refused(center, clerk, days, reason, field):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    with pytest.raises(DomainError) as exc:
        placement_extend(
            placement=placement,
            until=placement.planned_check_out_on + datetime.timedelta(days=days),
            reason=reason,
            actor=clerk,
        )
    assert exc.value.field == field
    assert not PlacementExtension.objects.exists()


def test_an_ended_stay_cannot_be_extended(center, clerk):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    placement_check_out(placement=placement, actor=clerk, reason="housing")
    with pytest.raises(DomainError):
        placement_extend(placement=placement, until=TODAY() + datetime.timedelta(days=400), reason="x", actor=clerk)
