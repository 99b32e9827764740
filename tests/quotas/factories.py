"""Builders for quota tests: a test year with its split, families whose head holds a valid status."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from core.models import Region
from oralman.models import FamilyMember
from quotas import services
from quotas.models import PriorityCategory, QuotaYear, RegionalQuota
from tests.factories import FamilyFactory, KandasStatusFactory, PersonFactory

_years = itertools.count(2040)
T0 = datetime.datetime(2026, 2, 1, 9, 0, tzinfo=datetime.UTC)


def make_year(*, shares: dict[str, int], total: int | None = None, unit: str = "persons", rule: str = "strict_order",
              is_open: bool = True) -> QuotaYear:  # fmt: skip
    year = QuotaYear.objects.create(
        year=next(_years), unit=unit, national_total=total or sum(shares.values()), is_open=is_open,
        oversize_rule=rule, act_title="test order",
    )  # fmt: skip
    for code, places in shares.items():
        RegionalQuota.objects.create(quota_year=year, region=Region.objects.get(code=code), places=places)
    return year


def make_family(*, region: str = "pavlodar", size: int = 1, with_status: bool = True):
    head = PersonFactory(region=Region.objects.get(code=region))
    family = FamilyFactory(head=head, region=head.region)
    for _ in range(size - 1):
        FamilyMember.objects.create(family=family, person=PersonFactory(region=head.region), relationship="child")
    if with_status:
        KandasStatusFactory(person=head)
    return family


def category(code: str) -> PriorityCategory:
    return PriorityCategory.objects.get(code=code)


def file_request(year, *, region: str = "pavlodar", size: int = 1, categories=(), minutes: int = 0, actor=None):
    """A request filed through the service; `minutes` after T0 orders the submissions."""
    family = make_family(region=region, size=size)
    return services.quota_request_create(
        family=family, quota_year=year, region=Region.objects.get(code=region), actor=actor,
        categories=[category(c) for c in categories], submitted_at=T0 + datetime.timedelta(minutes=minutes),
    )  # fmt: skip


def now():
    return timezone.now()
