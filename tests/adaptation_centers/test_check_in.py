import datetime

import pytest
from django.utils import timezone, translation

from adaptation_centers.models import Placement, PlacementOccupant, ServiceRecord
from core.authz import NotAllowed
from core.errors import DomainError
from tests.adaptation_centers.factories import CenterFactory, family_of, referred_check_in, staff_of
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _snapshot():
    return (Placement.objects.count(), PlacementOccupant.objects.count(), ServiceRecord.objects.count())


def test_check_in_of_a_family_places_every_current_member_with_a_bed_each(center, clerk):
    family = family_of(4)
    placement = referred_check_in(center=center, family=family, actor=clerk)
    placement.refresh_from_db()
    assert placement.beds == 4
    assert placement.person == family.head
    assert placement.occupants.count() == 4
    assert placement.check_in_on == timezone.localdate()


def test_planned_check_out_defaults_to_the_centers_longest_stay(clerk):
    center = CenterFactory(max_stay_months=3)
    staff_of(center, clerk)
    placement = referred_check_in(
        center=center,
        person=PersonFactory(),
        actor=clerk,
        check_in_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    day = timezone.localdate() - datetime.timedelta(days=1)
    expected = datetime.date(day.year + (day.month + 2) // 12, (day.month + 2) % 12 + 1, 1)
    assert placement.planned_check_out_on.replace(day=1) == expected


def test_a_closed_center_refuses_check_in_and_nothing_changes(center, clerk):
    center.is_open = False
    center.save()
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    assert "закрыт" in str(exc.value.message)
    assert _snapshot() == before


def test_more_beds_than_free_is_refused_with_the_count(clerk):
    center = CenterFactory(capacity=5)
    staff_of(center, clerk)
    referred_check_in(center=center, family=family_of(3), actor=clerk)
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        referred_check_in(center=center, family=family_of(3), actor=clerk)
    assert exc.value.code == "no_beds"
    assert "свободных мест: 2" in str(exc.value.message)
    assert _snapshot() == before


def test_a_second_active_placement_of_the_same_person_is_refused(center, clerk):
    person = PersonFactory()
    referred_check_in(center=center, person=person, actor=clerk)
    other = CenterFactory()
    staff_of(other, clerk)
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        referred_check_in(center=other, person=person, actor=clerk)
    assert exc.value.code == "already_placed"
    assert "уже проживает" in str(exc.value.message)
    assert _snapshot() == before


def test_fewer_beds_than_people_is_refused(center, clerk):
    with pytest.raises(DomainError) as exc:
        referred_check_in(center=center, family=family_of(3), beds=2, actor=clerk)
    assert exc.value.field == "beds"
    assert Placement.objects.count() == 0


def test_a_check_in_in_the_future_is_refused(center, clerk):
    with pytest.raises(DomainError) as exc:
        referred_check_in(
            center=center,
            person=PersonFactory(),
            actor=clerk,
            check_in_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert exc.value.field == "check_in_on"


def test_a_planned_stay_longer_than_allowed_needs_an_extension(center, clerk):
    with pytest.raises(DomainError) as exc:
        referred_check_in(
            center=center,
            person=PersonFactory(),
            actor=clerk,
            planned_check_out_on=timezone.localdate() + datetime.timedelta(days=200),
        )
    assert exc.value.field == "planned_check_out_on"


def test_staff_of_another_center_cannot_check_in_here(center, center_staff):
    staff_of(CenterFactory(), center_staff)
    with pytest.raises(NotAllowed):
        referred_check_in(center=center, person=PersonFactory(), actor=center_staff)
    assert Placement.objects.count() == 0


@pytest.mark.parametrize("role_fixture", ["caseworker", "analyst"])
def test_caseworkers_and_analysts_cannot_check_in(request, center, role_fixture):
    user = request.getfixturevalue(role_fixture)
    with pytest.raises(NotAllowed):
        referred_check_in(center=center, person=PersonFactory(), actor=user)


def test_only_chosen_members_can_be_placed_and_strangers_are_refused(center, clerk):
    family = family_of(3)
    with pytest.raises(DomainError) as exc:
        referred_check_in(center=center, family=family, persons=[PersonFactory()], actor=clerk)
    assert exc.value.field == "persons"
    head_only = referred_check_in(center=center, family=family, persons=[family.head], actor=clerk)
    assert head_only.beds == 1


def test_a_backdated_check_in_counts_beds_of_stays_that_ended_after_that_day(clerk):
    center = CenterFactory(capacity=2)
    staff_of(center, clerk)
    today = timezone.localdate()
    from adaptation_centers.services import placement_check_out

    earlier = referred_check_in(
        center=center, family=family_of(2), actor=clerk, check_in_on=today - datetime.timedelta(days=5)
    )
    placement_check_out(
        placement=earlier, actor=clerk, reason="housing", checked_out_on=today - datetime.timedelta(days=1)
    )
    # Three days ago both beds were taken: a check-in dated then is refused, one dated today fits.
    with pytest.raises(DomainError):
        referred_check_in(
            center=center, person=PersonFactory(), actor=clerk, check_in_on=today - datetime.timedelta(days=3)
        )
    assert referred_check_in(center=center, person=PersonFactory(), actor=clerk).beds == 1


def test_the_refusal_is_translated_into_kazakh(center, clerk):
    center.is_open = False
    center.save()
    with translation.override("kk"), pytest.raises(DomainError) as exc:
        referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    assert "жабық" in str(exc.value.message)
