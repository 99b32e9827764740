"""Reads of the quota, always through the user's scope: caseworkers see their region's requests,
ministry analysts and administrators see all (analysts read only); center staff see none."""

from __future__ import annotations

from django.db.models import QuerySet

from core.roles import Role, role_of
from core.scoping import scope_by_region
from quotas.models import AllocationRun, BenefitInstalment, PriorityCategory, QuotaRequest, QuotaYear, RegionalQuota


def quota_year_list(*, user) -> QuerySet[QuotaYear]:
    if role_of(user) is None:
        return QuotaYear.objects.none()
    return QuotaYear.objects.all()


def regional_quota_list(*, user) -> QuerySet[RegionalQuota]:
    """The split is public policy: every staff role may read all of it."""
    if role_of(user) is None:
        return RegionalQuota.objects.none()
    return RegionalQuota.objects.select_related("quota_year", "region")


def quota_request_list(*, user) -> QuerySet[QuotaRequest]:
    qs = QuotaRequest.objects.select_related(
        "family__head", "quota_year", "region", "deciding_category", "decided_by_run"
    ).prefetch_related("categories")
    if role_of(user) == Role.CENTER_STAFF:
        return qs.none()
    return scope_by_region(qs, user)


def allocation_run_list(*, user) -> QuerySet[AllocationRun]:
    qs = AllocationRun.objects.select_related("quota_year", "region", "requested_by")
    role = role_of(user)
    if role in (Role.ADMINISTRATOR, Role.MINISTRY_ANALYST):
        return qs
    if role == Role.CASEWORKER:
        # Runs of the whole year decide their region too; region-only runs of other regions are hidden.
        return qs.filter(region__isnull=True) | qs.filter(region_id=user.region_id)
    return qs.none()


def instalment_list(*, user) -> QuerySet[BenefitInstalment]:
    return BenefitInstalment.objects.filter(request__in=quota_request_list(user=user).values("pk")).select_related(
        "request"
    )


def priority_category_list(*, user) -> QuerySet[PriorityCategory]:
    if role_of(user) is None:
        return PriorityCategory.objects.none()
    return PriorityCategory.objects.all()


def allocation_run_decisions(*, run: AllocationRun, user) -> QuerySet[QuotaRequest]:
    """The requests whose current decision this run made (a later run that re-decides a request
    takes it over), in the user's scope, in the order of each region. Filtered through the
    (quota_year, region) index: decided_by_run itself is not indexed (the run's UPDATE stays HOT)."""
    qs = quota_request_list(user=user).filter(quota_year_id=run.quota_year_id, decided_by_run_id=run.pk)
    if run.region_id:
        qs = qs.filter(region_id=run.region_id)
    return qs.order_by("region__name_ru", "rank", "id")
