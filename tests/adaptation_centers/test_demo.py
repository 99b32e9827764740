import random

import pytest

from adaptation_centers.demo import load_demo_centers
from adaptation_centers.models import Center, Placement, Referral, ServiceRecord
from tests.adaptation_centers.factories import family_of
from tests.factories import PersonFactory, region

pytestmark = pytest.mark.django_db


def test_demo_centers_are_believable_and_loading_twice_changes_nothing():
    for code in ("west-kazakhstan", "pavlodar", "akmola"):
        for _ in range(3):
            family_of(3, region=region(code))
    for _ in range(4):
        PersonFactory()
    first = load_demo_centers(rng=random.Random(7))
    uralsk = Center.objects.get(name_en__contains="Uralsk")
    assert uralsk.capacity == 20 and uralsk.kind == "temporary"
    assert first["centers_created"] == 5 and first["placements_created"] > 0 and first["referrals_open"] > 0
    # Everyone placed came through a referral; a few referrals stay open for the demo clerk's desk.
    assert not Placement.objects.filter(referrals__isnull=True).exists()
    assert Referral.objects.filter(center=uralsk, state="open").exists()
    counts = (
        Center.objects.count(),
        Placement.objects.count(),
        ServiceRecord.objects.count(),
        Referral.objects.count(),
    )
    second = load_demo_centers(rng=random.Random(7))
    assert second == {"centers_created": 0, "placements_created": 0, "referrals_open": 0}
    assert (
        Center.objects.count(), Placement.objects.count(), ServiceRecord.objects.count(), Referral.objects.count()
    ) == counts  # fmt: skip
    assert not Center.objects.filter(staff__isnull=False).exists()


def test_the_demo_center_of_a_region_can_be_found_for_staff_assignment():
    from adaptation_centers.demo import demo_center

    load_demo_centers(rng=random.Random(1))
    assert demo_center("west-kazakhstan").capacity == 20
    assert demo_center("mangystau") is None
