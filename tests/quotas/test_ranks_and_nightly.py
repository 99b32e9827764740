"""A region's order has one request per rank, promotions included; the nightly job adds a run only
when a run would change something (issue 15)."""

import pytest
from django.db import IntegrityError, connection, transaction

from quotas import services
from quotas.models import AllocationRun, QuotaRequest
from tests.quotas.factories import file_request, make_year


def run_once(year, actor):
    run = services.allocation_run_start(quota_year=year, actor=actor)
    return services.allocation_run_execute(run_id=run.pk)


def open_ranks(year) -> list[int]:
    return sorted(
        QuotaRequest.objects.filter(quota_year=year, state__in=["pending", "waitlisted", "allocated", "settled"])
        .exclude(rank=None)
        .values_list("rank", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("rule", ["strict_order", "skip_to_fitting"])
def test_a_promotion_and_the_next_run_leave_every_open_request_its_own_rank(administrator, caseworker, rule):
    year = make_year(shares={"pavlodar": 2}, rule=rule)
    a, b, c, d = (file_request(year, minutes=m) for m in range(4))
    run_once(year, administrator)
    assert open_ranks(year) == [1, 2, 3, 4]

    services.quota_request_decline(request=b, actor=caseworker)  # c is promoted
    ranks = dict(QuotaRequest.objects.filter(quota_year=year).values_list("pk", "rank"))
    assert ranks == {a.pk: 1, b.pk: None, c.pk: 3, d.pk: 4}, "a promotion keeps the ranks it found"
    assert QuotaRequest.objects.get(pk=c.pk).state == "allocated"

    # A family with a priority category files late: the next run puts it first and numbers the rest.
    e = file_request(year, minutes=9, categories=["disabled-member"])
    allocated_by = dict(QuotaRequest.objects.filter(state="allocated").values_list("pk", "decided_by_run_id"))
    run_once(year, administrator)
    ranks = dict(QuotaRequest.objects.filter(quota_year=year).values_list("pk", "rank"))
    assert ranks == {e.pk: 1, a.pk: 2, b.pk: None, c.pk: 3, d.pk: 4}
    assert open_ranks(year) == [1, 2, 3, 4]
    # Held places are renumbered only: their deciding run (and so their notice) stays.
    assert dict(QuotaRequest.objects.filter(pk__in=allocated_by).values_list("pk", "decided_by_run_id")) == allocated_by


@pytest.mark.django_db
def test_the_database_refuses_two_open_requests_of_a_region_with_one_rank(administrator):
    year = make_year(shares={"pavlodar": 3})
    a, b = file_request(year, minutes=0), file_request(year, minutes=1)
    run_once(year, administrator)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaRequest.objects.filter(pk=b.pk).update(rank=QuotaRequest.objects.get(pk=a.pk).rank)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred: checked at commit otherwise


@pytest.mark.django_db
def test_the_database_refuses_a_rank_on_a_closed_request(administrator):
    year = make_year(shares={"pavlodar": 1})
    request = file_request(year)
    run_once(year, administrator)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaRequest.objects.filter(pk=request.pk).update(state="declined")


@pytest.mark.django_db
def test_the_nightly_job_adds_no_run_when_nothing_changed(administrator):
    year = make_year(shares={"pavlodar": 2, "akmola": 1})
    for minute in range(5):
        file_request(year, region="pavlodar" if minute % 2 else "akmola", minutes=minute)
    first = services.reallocate_open_years()
    assert [r.quota_year_id for r in first] == [year.pk]
    before = AllocationRun.objects.count()
    decided = list(QuotaRequest.objects.order_by("pk").values_list("pk", "state", "rank", "decided_by_run_id"))

    for _night in range(3):
        assert services.reallocate_open_years() == []
    assert AllocationRun.objects.count() == before
    assert list(QuotaRequest.objects.order_by("pk").values_list("pk", "state", "rank", "decided_by_run_id")) == decided

    file_request(year, region="pavlodar", minutes=30)  # something to decide: a run again
    assert [r.quota_year_id for r in services.reallocate_open_years()] == [year.pk]
