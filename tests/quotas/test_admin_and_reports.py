"""The admin desk and the report pages: lists with filters, the explanation, starting a run, charts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import ReportExport
from quotas import services
from quotas.models import AllocationRun, BenefitInstalment, QuotaRequest
from tests.quotas.factories import file_request, make_year


@pytest.fixture
def decided_year(administrator):
    year = make_year(shares={"pavlodar": 2, "akmola": 1})
    for i in range(4):
        file_request(year, minutes=i, categories=["large-family"] if i == 3 else [])
    file_request(year, region="akmola")
    run = services.allocation_run_start(quota_year=year, actor=administrator)
    services.allocation_run_execute(run_id=run.pk)
    return year


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["administrator", "analyst", "caseworker"])
def test_the_request_list_renders_with_filters_for_each_role(client, request, decided_year, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("admin:quotas_quotarequest_changelist"), {"state": "waitlisted"})
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown and all(r.state == "waitlisted" for r in shown)
    if who == "caseworker":
        assert {r.region.code for r in shown} == {"pavlodar"}


@pytest.mark.django_db
def test_a_caseworker_reads_why_a_family_was_not_included(client, caseworker, decided_year):
    waiting = QuotaRequest.objects.filter(quota_year=decided_year, state="waitlisted", region__code="pavlodar").first()
    client.force_login(caseworker)
    response = client.get(reverse("admin:quotas_quotarequest_change", args=[waiting.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert str(waiting.decided_by_run_id) in text and "в очереди" in text


@pytest.mark.django_db
def test_the_decline_button_declines_and_promotes(client, caseworker, decided_year):
    allocated = QuotaRequest.objects.filter(quota_year=decided_year, state="allocated", region__code="pavlodar").first()
    client.force_login(caseworker)
    url = reverse("admin:quotas_quotarequest_transition", args=[allocated.pk, "decline"])
    assert client.post(url, {"reason": "stays abroad"}).status_code == 302
    allocated.refresh_from_db()
    assert allocated.state == "declined"
    assert QuotaRequest.objects.filter(quota_year=decided_year, state="allocated", region__code="pavlodar").count() == 2


@pytest.mark.django_db
def test_an_administrator_starts_a_run_from_the_admin_and_sees_its_progress(
    client, administrator, decided_year, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    assert client.get(reverse("admin:quotas_allocationrun_start")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:quotas_allocationrun_start"), {"quota_year": decided_year.pk})
    run = AllocationRun.objects.filter(quota_year=decided_year).latest("pk")
    assert response.status_code == 302 and run.status == "done"
    page = client.get(reverse("admin:quotas_allocationrun_change", args=[run.pk]))
    assert "<progress" in page.content.decode()
    assert client.get(reverse("admin:quotas_allocationrun_changelist")).status_code == 200


@pytest.mark.django_db
def test_an_analyst_cannot_start_a_run(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("admin:quotas_allocationrun_start")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["quota-use", "quota-by-category", "quota-arrivals-by-country"])
def test_each_report_renders_a_chart_and_a_table_and_downloads(client, analyst, decided_year, slug):
    QuotaRequest.objects.filter(quota_year=decided_year, state="allocated").update(state="settled")
    client.force_login(analyst)
    url = reverse("reports:page", args=[slug])
    page = client.get(url, {"year": decided_year.year})
    assert page.status_code == 200
    assert "<svg" in page.content.decode() and "<table" in page.content.decode()
    csv = client.get(url, {"year": decided_year.year, "format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    xlsx = client.get(url, {"year": decided_year.year, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    import io

    import openpyxl

    from core.reports import REPORTS, sheet_name

    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == [sheet_name(REPORTS[slug].title)] != ["Tablib Dataset"]
    heading = [row[0].value for row in book.active.iter_rows(max_row=3)]
    assert heading[:2] == [str(REPORTS[slug].title), f"Год: {decided_year.year}"]


@pytest.mark.django_db
def test_quota_use_figures_come_from_the_database(decided_year):
    from quotas.reports import quota_use_by_region

    rows = {r["region__code"]: r for r in quota_use_by_region(quota_year_id=decided_year.pk)}
    assert (rows["pavlodar"]["places"], rows["pavlodar"]["allocated_places"], rows["pavlodar"]["waitlisted_places"],
            rows["pavlodar"]["remaining"]) == (2, 2, 2, 0)  # fmt: skip
    assert rows["akmola"]["allocated_families"] == 1


@pytest.mark.django_db
def test_the_report_query_count_does_not_grow_with_the_requests(decided_year, django_assert_num_queries):
    from quotas.reports import quota_use_by_region

    with django_assert_num_queries(1):
        quota_use_by_region(quota_year_id=decided_year.pk)
    for i in range(10):
        file_request(decided_year, minutes=100 + i)
    with django_assert_num_queries(1):
        quota_use_by_region(quota_year_id=decided_year.pk)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_large_export_runs_as_a_job_on_a_real_worker_and_leaves_a_file(celery_worker_thread, analyst):
    import time

    from core.services import report_export_start

    year = make_year(shares={"pavlodar": 3})
    file_request(year)
    export = report_export_start(report_slug="quota-use", params={"year": str(year.year)}, fmt="xlsx", user=analyst)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.state in ("done", "failed"):
            break
        time.sleep(0.2)
    assert export.state == "done" and export.file and export.rows == 1
    assert ReportExport.objects.get(pk=export.pk).file.read()[:2] == b"PK"


# --- Benefits -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_benefits_of_a_family_of_four_in_2026_follow_the_mci(administrator):
    from quotas.models import QuotaYear

    year = QuotaYear.objects.get(year=2026)
    request = file_request(year, size=4)
    QuotaRequest.objects.filter(pk=request.pk).update(state="allocated")
    request.refresh_from_db()
    ent = services.benefit_entitlement(request)
    assert ent.mci_tenge == Decimal("4325.00")
    assert ent.relocation_tenge == Decimal("1211000.00")  # 70 MCI x 4 members x 4,325
    assert ent.rent_tenge_per_month == Decimal("64875.00")  # 15 MCI a month
    assert ent.housing_cap_tenge == Decimal("7028125.00")  # 1,625 MCI
    rows = services.benefits_schedule(request=request, actor=administrator, first_due_on=datetime.date(2026, 3, 1))
    assert len(rows) == 13 and rows[-1].due_on == datetime.date(2027, 2, 1)


@pytest.mark.django_db
def test_a_large_family_gets_the_higher_rent_subsidy_and_the_certificate_is_capped(administrator):
    from quotas.models import QuotaYear

    request = file_request(QuotaYear.objects.get(year=2026), size=6)
    QuotaRequest.objects.filter(pk=request.pk).update(state="allocated")
    request.refresh_from_db()
    assert services.benefit_entitlement(request).rent_mci_per_month == 30
    cert = services.housing_certificate_issue(
        request=request, home_price_tenge=Decimal("30000000"), actor=administrator, due_on=datetime.date(2026, 5, 1)
    )
    assert cert.amount_tenge == Decimal("7028125.00")


@pytest.mark.django_db
def test_settling_needs_the_relocation_allowance_paid(administrator, caseworker):
    from core.errors import DomainError
    from quotas.models import QuotaYear

    request = file_request(QuotaYear.objects.get(year=2026), size=2)
    QuotaRequest.objects.filter(pk=request.pk).update(state="allocated")
    services.benefits_schedule(request=request, actor=caseworker, first_due_on=datetime.date(2026, 3, 1))
    with pytest.raises(DomainError):
        services.quota_request_settle(request=request, actor=caseworker)
    relocation = BenefitInstalment.objects.get(request=request, kind="relocation")
    services.instalment_pay(instalment=relocation, actor=caseworker)
    assert services.quota_request_settle(request=request, actor=caseworker).state == "settled"


@pytest.mark.django_db
def test_the_quota_year_page_shows_the_split_and_refuses_a_split_over_the_total(client, administrator):
    from core.models import Region

    year = make_year(shares={"pavlodar": 60}, total=100)
    share = year.shares.get()
    client.force_login(administrator)
    url = reverse("admin:quotas_quotayear_change", args=[year.pk])
    assert client.get(url).status_code == 200
    data = {
        "national_total": "100", "oversize_rule": "strict_order", "is_open": "on", "act_title": "order",
        "act_number": "", "act_date": "", "note": "",
        "shares-TOTAL_FORMS": "2", "shares-INITIAL_FORMS": "1", "shares-MIN_NUM_FORMS": "0",
        "shares-MAX_NUM_FORMS": "1000",
        "shares-0-id": str(share.pk), "shares-0-quota_year": str(year.pk), "shares-0-region": str(share.region_id),
        "shares-0-places": "60",
        "shares-1-id": "", "shares-1-quota_year": str(year.pk),
        "shares-1-region": str(Region.objects.get(code="akmola").pk), "shares-1-places": "41",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200 and "больше общей квоты" in response.content.decode()
    assert year.shares.count() == 1
    data["shares-1-places"] = "40"
    assert client.post(url, data).status_code == 302
    assert sorted(year.shares.values_list("places", flat=True)) == [40, 60]


@pytest.mark.django_db
def test_a_caseworker_files_a_request_in_the_admin(client, caseworker):
    from tests.quotas.factories import make_family

    year = make_year(shares={"pavlodar": 5})
    family = make_family(size=3)
    client.force_login(caseworker)
    url = reverse("admin:quotas_quotarequest_add")
    assert client.get(url).status_code == 200
    response = client.post(url, {"family": family.pk, "quota_year": year.pk, "region": family.region_id})
    assert response.status_code == 302, response.content.decode()[:2000]
    request = QuotaRequest.objects.get(family=family)
    assert (request.places, request.created_by) == (3, caseworker)


# --- A run's page: the decisions it made, no job internals for analysts ------------------------------


def _run_page(client, user, run, **params):
    client.force_login(user)
    return client.get(reverse("admin:quotas_allocationrun_change", args=[run.pk]), params)


@pytest.mark.django_db
def test_a_runs_page_lists_the_requests_it_decided_with_outcome_and_reason(client, analyst, decided_year):
    run = decided_year.runs.get()
    AllocationRun.objects.filter(pk=run.pk).update(task_id="5f1c-celery-task-id")
    page = _run_page(client, analyst, run)
    decided = QuotaRequest.objects.filter(decided_by_run=run)
    assert page.status_code == 200
    assert {r.pk for r in page.context["decisions"]} == set(
        decided.values_list("pk", flat=True)
    ) and decided.count() == 5
    html = page.content.decode()
    waiting = decided.filter(state="waitlisted").first()
    assert reverse("admin:quotas_quotarequest_change", args=[waiting.pk]) in html
    assert "Ожидает по запуску" in html or str(waiting.family.head) in html
    assert "Celery" not in html and "5f1c-celery-task-id" not in html


@pytest.mark.django_db
def test_administrators_still_see_the_job_internals(client, administrator, decided_year):
    run = decided_year.runs.get()
    AllocationRun.objects.filter(pk=run.pk).update(task_id="5f1c-celery-task-id")
    html = _run_page(client, administrator, run).content.decode()
    assert "5f1c-celery-task-id" in html


@pytest.mark.django_db
def test_a_caseworker_sees_only_their_regions_decisions_of_a_run(client, caseworker, decided_year):
    page = _run_page(client, caseworker, decided_year.runs.get())
    assert {r.region.code for r in page.context["decisions"]} == {"pavlodar"}


@pytest.mark.django_db
def test_a_runs_page_takes_the_same_queries_for_5_and_25_decisions(client, analyst, administrator, decided_year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run = decided_year.runs.get()
    client.force_login(analyst)
    url = reverse("admin:quotas_allocationrun_change", args=[run.pk])
    client.get(url)  # the first page of a session also loads the user's permissions
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(25):
        file_request(decided_year, minutes=100 + i)
    rerun = services.allocation_run_start(quota_year=decided_year, actor=administrator)
    services.allocation_run_execute(run_id=rerun.pk)
    url = reverse("admin:quotas_allocationrun_change", args=[rerun.pk])
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.context["decisions"].paginator.count == 25  # the new requests (the rest kept their decision)
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_a_runs_page_and_api_read_the_run_row_not_the_celery_result(client, administrator, decided_year, monkeypatch):
    """Reading the task's result in the request warned "Results are not stored…" with eager tasks
    (and asks the result backend on every page): the run's row alone tells the story."""
    import warnings

    import celery.result
    from rest_framework.test import APIClient

    reads = []

    def no_result_reads(self, task_id, *args, **kwargs):
        reads.append(task_id)  # the old code caught whatever this raised; the record stays
        raise AssertionError("the request read a Celery task result")

    monkeypatch.setattr(celery.result.AsyncResult, "__init__", no_result_reads)
    run = decided_year.runs.get()
    AllocationRun.objects.filter(pk=run.pk).update(task_id="5f1c-celery-task-id")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        page = _run_page(client, administrator, run)
        api = APIClient()
        api.force_authenticate(administrator)
        body = api.get(f"/api/v1/allocation-runs/{run.pk}/").json()
    assert reads == []
    assert page.status_code == 200 and "Results are not stored" not in page.content.decode()
    assert body["task_id"] == "5f1c-celery-task-id" and "dispatched_at" in body
