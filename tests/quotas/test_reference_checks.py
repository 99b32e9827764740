"""Issue 16: a quota request's run and deciding category are checked once per statement (triggers
of quotas migration 0010) instead of by per-row foreign keys, with the same guarantees."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from quotas import services
from quotas.models import AllocationRun, PriorityCategory, QuotaRequest
from tests.quotas.factories import category, file_request, make_year

pytestmark = pytest.mark.django_db


def _update(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_request_cannot_name_a_run_or_category_that_does_not_exist(administrator):
    year = make_year(shares={"pavlodar": 3})
    request = file_request(year)
    missing = (AllocationRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000

    with pytest.raises(IntegrityError, match="allocation run"):
        _update("UPDATE quotas_quotarequest SET decided_by_run_id = %s WHERE id = %s", [missing, request.pk])
    with pytest.raises(IntegrityError, match="priority category"):
        _update("UPDATE quotas_quotarequest SET deciding_category_id = %s WHERE id = %s", [missing, request.pk])


def test_a_run_or_category_that_decided_requests_cannot_be_removed(administrator):
    year = make_year(shares={"pavlodar": 3})
    deciding = category("large-family")
    request = file_request(year, categories=[deciding.code])
    run = services.allocation_run_start(quota_year=year, actor=administrator)
    services.allocation_run_execute(run_id=run.pk)
    request.refresh_from_db()
    assert request.decided_by_run_id == run.pk

    with pytest.raises(IntegrityError, match="cannot be removed"):
        _update("DELETE FROM quotas_allocationrun WHERE id = %s", [run.pk])
    with pytest.raises(IntegrityError, match="cannot be removed"):
        _update("UPDATE quotas_allocationrun SET id = id + 100000 WHERE id = %s", [run.pk])
    assert request.deciding_category_id == deciding.pk
    with pytest.raises(IntegrityError, match="cannot be removed"):
        _update("DELETE FROM quotas_prioritycategory WHERE id = %s", [deciding.pk])
    # An unreferenced category can still go.
    spare = PriorityCategory.objects.exclude(pk=request.deciding_category_id).order_by("-pk").first()
    QuotaRequest.objects.filter(deciding_category=spare).update(deciding_category=None)
    _update("DELETE FROM quotas_quotarequest_categories WHERE prioritycategory_id = %s", [spare.pk])
    _update("DELETE FROM quotas_prioritycategory WHERE id = %s", [spare.pk])


def test_the_allocation_writes_every_request_with_its_run_and_the_audit_records_it(administrator):
    year = make_year(shares={"pavlodar": 2})
    requests = [file_request(year, minutes=i) for i in range(3)]
    run = services.allocation_run_start(quota_year=year, actor=administrator)
    services.allocation_run_execute(run_id=run.pk)

    decided = QuotaRequest.objects.filter(pk__in=[r.pk for r in requests])
    assert set(decided.values_list("decided_by_run_id", flat=True)) == {run.pk}
    events = QuotaRequest.pgh_event_model.objects.filter(pgh_obj_id__in=[r.pk for r in requests], pgh_label="update")
    assert set(events.values_list("decided_by_run_id", flat=True)) == {run.pk}
    assert events.count() == 3
