"""Two runs at the same moment, guards under concurrent writers, and a run killed half-way.

Real threads with their own PostgreSQL connections (transaction=True tests)."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction

from quotas import allocation, services
from quotas.models import AllocationRun, QuotaRequest, RegionalQuota
from quotas.tasks import allocate_quota_task
from tests.quotas.factories import file_request, make_year


def in_thread(target, results, key, barrier=None):
    def body():
        try:
            if barrier:
                barrier.wait(timeout=10)
            results[key] = target()
        except Exception as exc:  # recorded for the assertions
            results[key] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


def expected_decisions(year):
    """What one uninterrupted run must give, from the pure algorithm over the same rows."""
    rows = QuotaRequest.objects.filter(quota_year=year)
    candidates = [
        allocation.Candidate(id=r.pk, region_id=r.region_id, places=r.places, priority=allocation.NO_CATEGORY_RANK,
                             submitted_at=r.submitted_at)
        for r in rows
    ]  # fmt: skip
    capacity = dict(RegionalQuota.objects.filter(quota_year=year).values_list("region_id", "places"))
    result = allocation.allocate(candidates, capacity=capacity, rule=year.oversize_rule)
    return {d.id: (str(d.outcome), d.rank, d.waitlist_position) for ds in result.values() for d in ds}


def actual_decisions(year):
    return {
        pk: (state, rank, position)
        for pk, state, rank, position in QuotaRequest.objects.filter(quota_year=year).values_list(
            "pk", "state", "rank", "waitlist_position"
        )
    }


def allocated_places(year):
    return {
        share.region.code: (
            share.used,
            share.places,
            sum(QuotaRequest.objects.filter(quota_year=year, region=share.region, state="allocated").values_list("places", flat=True)),
        )
        for share in RegionalQuota.objects.filter(quota_year=year).select_related("region")
    }  # fmt: skip


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_started_at_the_same_moment_cannot_over_allocate(administrator):
    year = make_year(shares={"pavlodar": 11, "akmola": 7, "abai": 5})
    for i in range(45):
        file_request(year, region=("pavlodar", "akmola", "abai")[i % 3], size=i % 3 + 1, minutes=i)
    runs = [services.allocation_run_start(quota_year=year, actor=administrator) for _ in range(2)]
    # The eager on-commit task already ran the first two; reset them to race for real.
    QuotaRequest.objects.filter(quota_year=year).update(state="pending", rank=None, waitlist_position=None)
    AllocationRun.objects.filter(pk__in=[r.pk for r in runs]).update(status="queued")
    barrier = threading.Barrier(2)
    results = {}
    threads = [
        in_thread(lambda r=run: services.allocation_run_execute(run_id=r.pk), results, run.pk, barrier) for run in runs
    ]
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(results[r.pk], AllocationRun) for r in runs), results
    for code, (used, places, allocated) in allocated_places(year).items():
        assert used == allocated <= places, code
    assert actual_decisions(year) == expected_decisions(year)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_refuses_the_second_of_two_concurrent_writers_past_the_share():
    year = make_year(shares={"pavlodar": 8})
    requests = [file_request(year, minutes=i) for i in range(10)]
    first_ids, second_ids = [r.pk for r in requests[:5]], [r.pk for r in requests[5:]]
    first_wrote, results = threading.Event(), {}
    release_first = threading.Event()

    def first():
        with transaction.atomic():
            QuotaRequest.objects.filter(pk__in=first_ids).update(state="allocated")
            first_wrote.set()
            release_first.wait(timeout=10)
        return "committed"

    def second():
        first_wrote.wait(timeout=10)
        with transaction.atomic():
            return QuotaRequest.objects.filter(pk__in=second_ids).update(state="allocated")

    t1 = in_thread(first, results, "first")
    t2 = in_thread(second, results, "second")
    time.sleep(0.5)  # the second writer is now waiting for the share row
    release_first.set()
    t1.join(timeout=30)
    t2.join(timeout=30)
    assert results["first"] == "committed"
    assert isinstance(results["second"], IntegrityError)
    assert RegionalQuota.objects.get(quota_year=year).used == 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_split_edits_cannot_exceed_the_national_total(administrator):
    from core.models import Region

    year = make_year(shares={"pavlodar": 50}, total=100)
    barrier, results = threading.Barrier(2), {}
    threads = [
        in_thread(
            lambda code=code: services.regional_quota_set(
                quota_year=year, region=Region.objects.get(code=code), places=30, actor=administrator
            ),
            results, code, barrier,
        )
        for code in ("akmola", "abai")
    ]  # fmt: skip
    for thread in threads:
        thread.join(timeout=30)
    assert sum(RegionalQuota.objects.filter(quota_year=year).values_list("places", flat=True)) == 80
    assert sorted(type(r).__name__ for r in results.values()) == ["DomainError", "RegionalQuota"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_killed_half_way_and_started_again_finishes_correctly(administrator):
    year = make_year(shares={"pavlodar": 6, "akmola": 5, "abai": 4})
    for i in range(24):
        file_request(year, region=("pavlodar", "akmola", "abai")[i % 3], size=i % 3 + 1, minutes=24 - i)
    shares = list(RegionalQuota.objects.filter(quota_year=year).order_by("region_id"))
    run = AllocationRun.objects.create(quota_year=year, requested_by=administrator, oversize_rule=year.oversize_rule)
    results, pid = {}, {}

    def doomed_run():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid["run"] = cursor.fetchone()[0]
        return services.allocation_run_execute(run_id=run.pk)

    with transaction.atomic():
        # Hold the second region's share: the run decides the first region, then waits here.
        RegionalQuota.objects.select_for_update().get(pk=shares[1].pk)
        thread = in_thread(doomed_run, results, "run")
        with connection.cursor() as cursor:
            for _ in range(100):
                cursor.execute("SELECT pg_stat_clear_snapshot()")  # activity is otherwise frozen per transaction
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid.get("run", 0)])
                row = cursor.fetchone()
                if row and row[0] == "Lock":
                    break
                time.sleep(0.1)
            else:
                pytest.fail(f"the run never reached the second region: {results}")
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid["run"]])  # the worker dies
        thread.join(timeout=30)
    assert isinstance(results["run"], Exception)

    run.refresh_from_db()
    assert run.status in ("running", "failed")  # a SIGKILL leaves "running"; a lost connection "failed"
    first, second, third = (set(QuotaRequest.objects.filter(region=s.region, quota_year=year).values_list("state", flat=True)) for s in shares)  # fmt: skip
    assert "pending" not in first and second == {"pending"} and third == {"pending"}

    allocate_quota_task.delay(run.pk)  # Celery redelivers the unacknowledged task

    run.refresh_from_db()
    assert (run.status, run.attempts, run.regions_done) == ("done", 2, 3)
    assert actual_decisions(year) == expected_decisions(year)
    for code, (used, places, allocated) in allocated_places(year).items():
        assert used == allocated <= places, code
