"""The allocation job through a real Celery worker (Redis when REDIS_URL is set)."""

import time

import pytest
from celery.result import AsyncResult

from quotas import services
from quotas.models import AllocationRun, QuotaRequest, RegionalQuota
from tests.quotas.factories import file_request, make_year


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_started_by_staff_is_done_by_the_worker_with_its_task_state(celery_worker_thread, administrator):
    year = make_year(shares={"pavlodar": 4, "akmola": 2})
    for i in range(8):
        file_request(year, region="pavlodar" if i % 2 else "akmola", size=i % 2 + 1, minutes=i)

    run = services.allocation_run_start(quota_year=year, actor=administrator)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in ("done", "failed"):
            break
        time.sleep(0.2)
    assert (run.status, run.regions_done, run.regions_total) == ("done", 2, 2)
    assert run.task_id
    result = AsyncResult(run.task_id).get(timeout=10)
    assert result == {"run_id": run.pk, "status": "done", "allocated": run.allocated, "waitlisted": run.waitlisted}
    assert dict(RegionalQuota.objects.filter(quota_year=year).values_list("region__code", "used")) == {
        "pavlodar": 4, "akmola": 2,
    }  # fmt: skip
    assert not QuotaRequest.objects.filter(quota_year=year, state="pending").exists()
    assert AllocationRun.objects.get(pk=run.pk).attempts == 1
