"""Reference data loaded by migrations, the nightly schedule, the benchmark helper at a small size."""

import pytest
from django.urls import reverse

from quotas.models import BenefitRates, MciValue, PriorityCategory, QuotaRequest, QuotaYear
from tests.quotas.factories import file_request, make_year


@pytest.mark.django_db
def test_the_2026_order_is_loaded_with_its_eight_regions():
    year = QuotaYear.objects.get(year=2026)
    shares = dict(year.shares.values_list("region__code", "places"))
    assert (year.unit, year.national_total, sum(shares.values()), len(shares)) == ("persons", 2281, 2281, 8)
    assert shares["pavlodar"] == 977 and shares["west-kazakhstan"] == 30


@pytest.mark.django_db
def test_priority_categories_mci_and_benefit_rates_are_loaded():
    assert list(PriorityCategory.objects.values_list("rank", flat=True)) == [1, 2, 3, 4]
    assert dict(MciValue.objects.values_list("year", "tenge")) == {2023: 3450, 2024: 3692, 2025: 3932, 2026: 4325}
    assert BenefitRates.objects.get(year=2026).housing_certificate_cap_mci == 1625


@pytest.mark.django_db
def test_the_priority_ranks_can_be_swapped_in_one_transaction():
    from django.db import transaction

    first, second = PriorityCategory.objects.order_by("rank")[:2]
    with transaction.atomic():
        PriorityCategory.objects.filter(pk=first.pk).update(rank=2)
        PriorityCategory.objects.filter(pk=second.pk).update(rank=1)
    assert PriorityCategory.objects.order_by("rank").first().pk == second.pk


@pytest.mark.django_db
def test_the_nightly_reallocation_is_scheduled():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="quotas.tasks.reallocate_released_task")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("2", "30")


@pytest.mark.django_db
def test_the_nightly_task_runs_and_tells_the_families(administrator):
    from notifications.models import Notification
    from quotas.tasks import reallocate_released_task

    year = make_year(shares={"pavlodar": 1})
    first, second = file_request(year, minutes=0), file_request(year, minutes=1)
    run_ids = reallocate_released_task.delay().get()
    assert run_ids
    assert dict(QuotaRequest.objects.filter(quota_year=year).values_list("pk", "state")) == {
        first.pk: "allocated", second.pk: "waitlisted",
    }  # fmt: skip
    assert Notification.objects.filter(event__in=["quota.allocated", "quota.waitlisted"]).count() == 2


@pytest.mark.django_db
def test_the_request_list_page_uses_a_constant_number_of_queries(client, administrator, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    year = make_year(shares={"pavlodar": 40})
    client.force_login(administrator)
    url = reverse("admin:quotas_quotarequest_changelist")
    for i in range(2):
        file_request(year, minutes=i, categories=["large-family"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(15):
        file_request(year, minutes=10 + i, categories=["disabled-member"])
    with django_assert_max_num_queries(len(few)):
        client.get(url)


@pytest.mark.django_db
def test_the_benchmark_helper_agrees_with_the_sql_and_cleans_up():
    from oralman.models import Person
    from quotas.benchmark import run_allocation_benchmark

    persons = Person.objects.count()
    figures = run_allocation_benchmark(pending=400, repeat=1)
    assert figures["allocation_agrees"] and figures["report_agrees"]
    assert figures["allocated"] + figures["waitlisted"] == 400
    assert figures["job_s"] > 0 and figures["sql_s"] > 0 and figures["sql_update_s"] > 0
    assert figures["floor_s"] > 0 and figures["floor_committed_s"] > 0  # the write floor, both ways
    assert Person.objects.count() == persons and not QuotaYear.objects.filter(year__gte=9000).exists()
    assert run_allocation_benchmark(pending=200, repeat=1)["allocation_agrees"]  # again, same transaction
