"""Demo data for the quota: families with a valid status file requests for 2026, and one run.

Idempotent: families that already filed for the year are skipped; the run decides only pending
requests. Called by `manage.py load_demo`.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from oralman.models import Family, KandasStatus
from quotas.models import PriorityCategory, QuotaRequest, QuotaYear, RegionalQuota
from quotas.services import allocation_run_start, quota_request_create


def load_demo(*, rng, users) -> None:
    year = QuotaYear.objects.filter(year=2026, is_open=True).first()
    if year is None:
        return
    today = timezone.localdate()
    shares = {
        share.region_id: share.region
        for share in RegionalQuota.objects.filter(quota_year=year).select_related("region")
    }
    categories = list(PriorityCategory.objects.filter(active=True).order_by("rank"))
    valid_head = KandasStatus.objects.filter(
        person=OuterRef("head"), terminated_on__isnull=True, issued_on__lte=today, valid_until__gte=today
    )
    families = (
        Family.objects.filter(Exists(valid_head), region_id__in=shares)
        .exclude(quota_requests__quota_year=year)
        .select_related("head")
        .order_by("id")
    )
    for index, family in enumerate(families):
        claimed = [c for c in categories[:-1] if rng.random() < 0.25]
        quota_request_create(
            family=family, quota_year=year, region=shares[family.region_id], actor=None, categories=claimed,
            submitted_at=timezone.now() - datetime.timedelta(days=30 - index % 30, hours=index),
        )  # fmt: skip
    if QuotaRequest.objects.filter(quota_year=year, state="pending").exists():
        # The job runs after the commit: in-process by default, on a worker when REDIS_URL is set.
        allocation_run_start(quota_year=year, actor=users.get("admin"))
