"""Scoping: center staff see their center only, caseworkers their region's families, analysts and
administrators everything."""

import pytest

from adaptation_centers.selectors import (
    center_desk,
    center_list,
    occupant_list,
    person_ids_placed_in_users_centers,
    placement_list,
    service_record_list,
)
from adaptation_centers.services import placement_check_out, service_record_log
from oralman.selectors import person_list
from tests.adaptation_centers.factories import CenterFactory, family_of, kind, referred_check_in
from tests.factories import PersonFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(center, clerk, administrator):
    """Two centers; a Pavlodar family in ours, an Akmola person in the other."""
    other = CenterFactory(region=region("akmola"))
    ours = referred_check_in(center=center, family=family_of(2), actor=administrator)
    theirs = referred_check_in(center=other, person=PersonFactory(region=region("akmola")), actor=administrator)
    service_record_log(center=center, kind=kind(), persons=[ours.person], actor=administrator)
    service_record_log(center=other, kind=kind(), persons=[theirs.person], actor=administrator)
    return {"center": center, "other": other, "ours": ours, "theirs": theirs}


@pytest.mark.parametrize(
    ("who", "centers", "placements"),
    [
        ("administrator", {"center", "other"}, {"ours", "theirs"}),
        ("analyst", {"center", "other"}, {"ours", "theirs"}),
        ("clerk", {"center"}, {"ours"}),
        ("caseworker", {"center", "other"}, {"ours"}),
        ("other_caseworker", {"center", "other"}, {"theirs"}),
    ],
)
def test_each_role_sees_its_scope(request, world, who, centers, placements):
    user = request.getfixturevalue(who)
    assert set(center_list(user=user)) == {world[c] for c in centers}
    assert set(placement_list(user=user)) == {world[p] for p in placements}
    assert {r.person_id for r in service_record_list(user=user)} == {world[p].person_id for p in placements}
    assert {o.placement_id for o in occupant_list(user=user)} == {world[p].pk for p in placements}


def test_staff_of_no_center_see_nothing(world, db):
    from tests.adaptation_centers.conftest import user_with_role

    nobody = user_with_role("center_staff", username="unassigned")
    assert not placement_list(user=nobody).exists()
    assert not center_list(user=nobody).exists()


def test_center_staff_see_the_persons_staying_now_in_their_center(world, clerk, administrator):
    ids = set(person_ids_placed_in_users_centers(clerk).values_list("pk", flat=True))
    assert ids == {o.person_id for o in world["ours"].occupants.all()}
    assert set(person_list(user=clerk).values_list("pk", flat=True)) == ids
    placement_check_out(placement=world["ours"], actor=administrator, reason="housing")
    assert not person_ids_placed_in_users_centers(clerk).exists()


def test_center_list_counts_the_beds_taken(world):
    from adaptation_centers.models import Center

    assert (
        Center.objects.filter(pk=world["center"].pk).annotate()
        and center_list(user=world["ours"].created_by).get(pk=world["center"].pk).beds_taken == 2
    )


def test_the_desk_lists_todays_arrivals_and_departures_in_two_queries(world, django_assert_num_queries):
    referred_check_in(center=world["center"], family=family_of(3), actor=None)
    with django_assert_num_queries(2):
        desk = center_desk(center=world["center"])
        residents = desk.residents
    assert desk.beds_taken == 5
    assert desk.free_beds == 15
    assert len(desk.arrivals) == 2
    assert len(residents) == 5


def test_the_caseworkers_region_scope_is_the_familys_region_else_the_persons(center, caseworker, administrator):
    """The scope (two id lists) gives the rows of its plain definition: a family's stay belongs to
    the family's region whatever its members' regions; a single person's to the person's region."""
    from adaptation_centers.models import Placement, Referral
    from adaptation_centers.selectors import referral_list

    akmola = region("akmola")
    moved_here = family_of(2, region=akmola)
    moved_here.region_id = caseworker.region_id
    moved_here.save()
    moved_away = family_of(1, region=caseworker.region)
    moved_away.region = akmola
    moved_away.save()
    for kwargs in (
        {"family": moved_here}, {"family": moved_away},
        {"person": PersonFactory(region=caseworker.region)}, {"person": PersonFactory(region=akmola)},
    ):  # fmt: skip
        referred_check_in(center=center, actor=administrator, **kwargs)

    def plain(rows):
        return {
            r.pk for r in rows if (r.family.region_id if r.family_id else r.person.region_id) == caseworker.region_id
        }

    placements = set(placement_list(user=caseworker).values_list("pk", flat=True))
    assert placements == plain(Placement.objects.all())
    assert len(placements) == 2
    assert set(referral_list(user=caseworker).values_list("pk", flat=True)) == plain(Referral.objects.all())
