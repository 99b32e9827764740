"""The lists' first pages are read in order from an index (at 1,000,000 persons the service
records list sorted all 834,934 records: 1-3 s; with the index it stops after the page)."""

import pytest
from django.db import connection, transaction

from adaptation_centers.selectors import placement_list, referral_list, service_record_list

pytestmark = pytest.mark.django_db


def _plan(queryset):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        return queryset.explain()


@pytest.mark.parametrize("who", ["analyst", "caseworker"])
def test_the_service_records_first_page_is_read_from_the_order_index(who, request):
    plan = _plan(service_record_list(user=request.getfixturevalue(who))[:50])
    assert "service_given_idx" in plan
    assert "Sort" not in plan


def test_the_referrals_first_page_is_read_from_the_order_index(analyst):
    plan = _plan(referral_list(user=analyst)[:50])
    assert "referral_referred_idx" in plan
    assert "Sort" not in plan


def test_the_caseworkers_scope_never_lists_the_regions_persons(caseworker):
    """At 1,000,000 persons `person_id IN (the region's persons)` hashed 185,519 ids on every query
    of a caseworker's stays, for the few stays without a family: their person is now read by key,
    and the family by an EXISTS that PostgreSQL answers by key for a search's few stays
    (the rows: test_selectors.py::test_the_caseworkers_region_scope_is_the_familys_region_else_the_persons)."""
    sql = str(placement_list(user=caseworker).query)
    assert "EXISTS(SELECT" in sql.replace(" (", "(")
    assert '"oralman_person" U0 WHERE U0."region_id"' not in sql
    assert 'U0."id" = ("adaptation_centers_placement"."person_id")' in sql
