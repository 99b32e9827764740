"""Each bad input is refused with a clear, translated error and changes nothing."""

import pytest
from django.db import IntegrityError, transaction

from core.errors import DomainError
from core.models import Region
from quotas import services
from quotas.models import QuotaRequest, QuotaYear, RegionalQuota
from tests.quotas.factories import file_request, make_family, make_year


def snapshot():
    return (
        list(QuotaYear.objects.order_by("pk").values_list("pk", "national_total", "is_open")),
        list(RegionalQuota.objects.order_by("pk").values_list("pk", "places", "used")),
        list(QuotaRequest.objects.order_by("pk").values_list("pk", "state")),
    )


def refused(call, message_part):
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        call()
    assert message_part in str(exc.value.message)
    assert snapshot() == before
    return exc.value


@pytest.mark.django_db
def test_a_family_whose_head_has_no_valid_status_is_refused(administrator):
    year = make_year(shares={"pavlodar": 10})
    family = make_family(with_status=False)
    error = refused(
        lambda: services.quota_request_create(
            family=family, quota_year=year, region=family.region, actor=administrator
        ),
        "не имеет действующего статуса",
    )
    assert error.field == "family"


@pytest.mark.django_db
def test_a_second_request_of_the_same_family_for_the_same_year_is_refused(administrator):
    year = make_year(shares={"pavlodar": 10, "akmola": 5})
    first = file_request(year)
    refused(
        lambda: services.quota_request_create(
            family=first.family, quota_year=year, region=Region.objects.get(code="akmola"), actor=administrator
        ),
        "уже подала заявку",
    )


@pytest.mark.django_db
def test_the_database_refuses_a_second_request_even_past_the_service():
    year = make_year(shares={"pavlodar": 10})
    first = file_request(year)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaRequest.objects.create(
            family=first.family, quota_year=year, region=first.region, members_count=1, places=1
        )


@pytest.mark.django_db
def test_a_request_for_a_closed_year_is_refused(administrator):
    year = make_year(shares={"pavlodar": 10}, is_open=False)
    family = make_family()
    refused(
        lambda: services.quota_request_create(
            family=family, quota_year=year, region=family.region, actor=administrator
        ),
        "закрыт",
    )


@pytest.mark.django_db
def test_a_request_for_a_region_without_a_share_is_refused(administrator):
    year = make_year(shares={"pavlodar": 10})
    family = make_family(region="almaty")
    refused(
        lambda: services.quota_request_create(
            family=family, quota_year=year, region=family.region, actor=administrator
        ),
        "нет доли",
    )


@pytest.mark.django_db
def test_a_split_over_the_national_total_is_refused(administrator):
    year = make_year(shares={"pavlodar": 60}, total=100)
    refused(
        lambda: services.regional_quota_set(
            quota_year=year, region=Region.objects.get(code="akmola"), places=41, actor=administrator
        ),
        "больше общей квоты",
    )


@pytest.mark.django_db
def test_the_database_refuses_a_split_over_the_total_even_past_the_service():
    year = make_year(shares={"pavlodar": 60}, total=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionalQuota.objects.create(quota_year=year, region=Region.objects.get(code="akmola"), places=41)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaYear.objects.filter(pk=year.pk).update(national_total=59)


@pytest.mark.django_db
def test_a_national_total_below_the_split_is_refused(administrator):
    year = make_year(shares={"pavlodar": 60}, total=100)
    refused(lambda: services.quota_year_set_total(quota_year=year, national_total=59, actor=administrator), "60")


@pytest.mark.django_db
@pytest.mark.parametrize("total", [0, -5])
def test_a_zero_or_negative_national_quota_is_refused(administrator, total):
    refused(
        lambda: services.quota_year_create(year=2099, unit="persons", national_total=total, actor=administrator),
        "положительным",
    )
    year = make_year(shares={"pavlodar": 10})
    refused(
        lambda: services.quota_year_set_total(quota_year=year, national_total=total, actor=administrator),
        "положительным",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("places", [0, -1])
def test_a_zero_or_negative_regional_share_is_refused(administrator, places):
    year = make_year(shares={"pavlodar": 10}, total=50)
    refused(
        lambda: services.regional_quota_set(
            quota_year=year, region=Region.objects.get(code="pavlodar"), places=places, actor=administrator
        ),
        "положительным",
    )


@pytest.mark.django_db
def test_the_database_refuses_a_zero_share_or_total():
    year = make_year(shares={"pavlodar": 10}, total=50)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionalQuota.objects.filter(quota_year=year).update(places=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaYear.objects.filter(pk=year.pk).update(national_total=0)


@pytest.mark.django_db
def test_a_share_cannot_shrink_below_its_allocations(administrator):
    year = make_year(shares={"pavlodar": 10}, total=50)
    request = file_request(year, size=4)
    run = services.allocation_run_start(quota_year=year, actor=administrator)
    services.allocation_run_execute(run_id=run.pk)
    request.refresh_from_db()
    assert request.state == "allocated"
    refused(
        lambda: services.regional_quota_set(quota_year=year, region=request.region, places=3, actor=administrator),
        "уже распределены",
    )


@pytest.mark.django_db
def test_the_english_message_is_used_when_english_is_active(administrator):
    from django.utils import translation

    year = make_year(shares={"pavlodar": 10}, is_open=False)
    family = make_family()
    with translation.override("en"), pytest.raises(DomainError) as exc:
        services.quota_request_create(family=family, quota_year=year, region=family.region, actor=administrator)
    assert "closed for requests" in str(exc.value.message)
