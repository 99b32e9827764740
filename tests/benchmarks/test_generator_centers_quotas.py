"""The adaptation-center and quota generators: shapes the pages and reports rely on, integrity the
database does not check during the load (bed counts, quota use), determinism, adding parts later."""

import datetime

import pytest
from django.db import connection

from adaptation_centers.models import Center, Placement, PlacementOccupant, Referral, ServiceRecord
from benchmarks.generate import Scale, generate
from benchmarks.models import GeneratedDataSet
from core.models import Region
from oralman.models import FamilyMember
from quotas.models import QuotaRequest, RegionalQuota

TODAY = datetime.date(2026, 11, 24)
TABLES = [
    "adaptation_centers_center",
    "adaptation_centers_placement",
    "adaptation_centers_placementoccupant",
    "adaptation_centers_referral",
    "adaptation_centers_servicerecord",
    "quotas_quotarequest",
    "quotas_quotarequest_categories",
]


def _quiet(_message):
    pass


def _digest() -> dict[str, str]:
    out = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t")
            out[table] = cursor.fetchone()[0]
    return out


@pytest.mark.django_db
def test_centers_stays_and_services_are_generated_consistently():
    generate(Scale(persons=3000, seed=2, today=TODAY), log=_quiet)

    assert Center.objects.count() >= Region.objects.count()
    assert set(Center.objects.values_list("region", flat=True)) == set(Region.objects.values_list("id", flat=True))
    placements = Placement.objects.all()
    assert placements.count() > 50
    assert placements.filter(checked_out_on__isnull=True).exists(), "some stays are open today"
    assert (
        placements.filter(checked_out_on__isnull=False).exclude(check_out_reason="").count()
        == placements.filter(checked_out_on__isnull=False).count()
    )
    for placement in placements.filter(family__isnull=False)[:50]:
        members = set(FamilyMember.objects.filter(family=placement.family).values_list("person_id", flat=True))
        assert set(placement.occupants.values_list("person_id", flat=True)) == members
        assert placement.beds == len(members)
        assert placement.center.region_id == placement.family.region_id
    assert PlacementOccupant.objects.count() == sum(placements.values_list("beds", flat=True))
    # every stay was referred; the referral closed as placed on the day of check-in
    assert Referral.objects.filter(state="placed").count() == placements.count()
    services = ServiceRecord.objects.all()
    assert services.count() >= PlacementOccupant.objects.filter(check_in_on__lt=TODAY).count()
    assert not services.filter(given_on__gt=TODAY).exists()
    assert services.filter(outcome="language_level").exclude(language_level="").exists()


@pytest.mark.django_db
def test_quota_years_since_2022_have_requests_decided_within_their_shares():
    # Shares far smaller than the real ones, so that a small data set fills them and has a waiting line.
    RegionalQuota.objects.filter(quota_year__year=2026).update(places=3)
    generate(Scale(persons=1500, seed=2, today=TODAY), log=_quiet)

    years = set(QuotaRequest.objects.values_list("quota_year__year", flat=True))
    assert {2022, 2023, 2024, 2025, 2026} <= years
    closed = QuotaRequest.objects.filter(quota_year__is_open=False)
    assert closed.filter(state="settled").exists()
    assert not closed.filter(state__in=("pending", "allocated")).exists()
    open_year = QuotaRequest.objects.filter(quota_year__year=2026)
    assert {"pending", "allocated", "waitlisted"} <= set(open_year.values_list("state", flat=True))
    for share in RegionalQuota.objects.all():
        held = sum(
            QuotaRequest.objects.filter(
                quota_year=share.quota_year_id, region=share.region_id, state__in=("allocated", "settled")
            ).values_list("places", flat=True)
        )
        assert share.used == held <= share.places
    waitlisted = QuotaRequest.objects.filter(state="waitlisted")
    assert not waitlisted.filter(waitlist_position__isnull=True).exists()
    first_in_line = waitlisted.order_by("rank").first()
    assert first_in_line.waitlist_position == 1
    assert not QuotaRequest.objects.filter(state="pending", rank__isnull=False).exists()


@pytest.mark.django_db
def test_the_new_parts_are_deterministic_and_can_be_added_to_a_loaded_data_set():
    scale = Scale(persons=800, seed=7, today=TODAY)
    generate(scale, log=_quiet)
    everything = _digest()

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE adaptation_centers_center, quotas_quotarequest RESTART IDENTITY CASCADE; "
            "UPDATE quotas_regionalquota SET used = 0"
        )
    record = GeneratedDataSet.objects.first()
    record.parts = "oralman,citizenship"
    record.save()

    generate(scale, reset=True, log=_quiet, only=["adaptation_centers", "quotas"])

    assert _digest() == everything
    latest = GeneratedDataSet.objects.first()
    assert latest.parts == "oralman,citizenship,adaptation_centers,quotas"
    assert latest.rows["oralman_person"] == 800 and latest.rows["quotas_quotarequest"] > 0
