"""The quota API: scoping per role, actions through the services, runs, reports, query counts."""

import pytest
from rest_framework.test import APIClient

from quotas.models import AllocationRun, QuotaRequest, QuotaYear
from tests.quotas.factories import file_request, make_family, make_year


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def year(db):
    return make_year(shares={"pavlodar": 6, "akmola": 4})


@pytest.fixture
def requests_in_two_regions(year):
    return [file_request(year, minutes=0), file_request(year, region="akmola", minutes=1)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "visible_regions"),
    [("caseworker", {"pavlodar"}), ("other_caseworker", {"akmola"}), ("analyst", {"pavlodar", "akmola"}),
     ("administrator", {"pavlodar", "akmola"})],
)  # fmt: skip
def test_each_role_sees_the_requests_of_its_scope(request, requests_in_two_regions, who, visible_regions):
    user = request.getfixturevalue(who)
    response = client_for(user).get("/api/v1/quota-requests/")
    assert response.status_code == 200
    codes = {QuotaRequest.objects.get(pk=row["id"]).region.code for row in response.json()["results"]}
    assert codes == visible_regions


@pytest.mark.django_db
def test_center_staff_may_not_read_quota_requests(center_staff, requests_in_two_regions):
    assert client_for(center_staff).get("/api/v1/quota-requests/").status_code == 403


@pytest.mark.django_db
def test_a_caseworker_cannot_open_a_request_of_another_region(other_caseworker, requests_in_two_regions):
    response = client_for(other_caseworker).get(f"/api/v1/quota-requests/{requests_in_two_regions[0].pk}/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_caseworker_files_a_request_and_a_bad_one_gets_a_translated_400(caseworker, year):
    family = make_family()
    client = client_for(caseworker)
    created = client.post(
        "/api/v1/quota-requests/", {"family": family.pk, "quota_year": year.pk, "region": family.region_id,
                                    "categories": []}, format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    assert created.json()["state"] == "pending"
    again = client.post(
        "/api/v1/quota-requests/", {"family": family.pk, "quota_year": year.pk, "region": family.region_id},
        format="json", HTTP_ACCEPT_LANGUAGE="ru",
    )  # fmt: skip
    assert again.status_code == 400
    assert "уже подала заявку" in again.json()["family"][0]


@pytest.mark.django_db
def test_a_caseworker_cannot_file_for_another_region(caseworker, year):
    family = make_family()
    response = client_for(caseworker).post(
        "/api/v1/quota-requests/", {"family": family.pk, "quota_year": year.pk, "region": 2}, format="json"
    )
    assert response.status_code == 400
    assert not QuotaRequest.objects.exists()


@pytest.mark.django_db
def test_an_analyst_reads_but_cannot_change_or_start_runs(analyst, year, requests_in_two_regions):
    client = client_for(analyst)
    assert client.post(f"/api/v1/quota-requests/{requests_in_two_regions[0].pk}/decline/", {}).status_code == 403
    assert client.post("/api/v1/allocation-runs/", {"quota_year": year.pk}).status_code == 403
    assert client.get("/api/v1/allocation-runs/").status_code == 200


@pytest.mark.django_db
def test_a_caseworker_cannot_start_a_run(caseworker, year):
    assert client_for(caseworker).post("/api/v1/allocation-runs/", {"quota_year": year.pk}).status_code == 403
    assert not AllocationRun.objects.exists()


@pytest.mark.django_db
def test_an_administrator_starts_a_run_and_reads_its_status(
    administrator, year, requests_in_two_regions, django_capture_on_commit_callbacks
):
    client = client_for(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/allocation-runs/", {"quota_year": year.pk}, format="json")
    assert response.status_code == 202
    run = client.get(f"/api/v1/allocation-runs/{response.json()['id']}/").json()
    assert (run["status"], run["progress_percent"], run["allocated"]) == ("done", 100, 2)
    detail = client.get(f"/api/v1/quota-requests/{requests_in_two_regions[0].pk}/").json()
    assert detail["state"] == "allocated" and detail["decided_by_run"] == run["id"]
    assert f"No. {run['id']}" in detail["explanation"] or f"№ {run['id']}" in detail["explanation"]


@pytest.mark.django_db
def test_decline_through_the_api_promotes_the_line(administrator, caseworker, django_capture_on_commit_callbacks):
    year = make_year(shares={"pavlodar": 1})
    first, second = file_request(year, minutes=0), file_request(year, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(administrator).post("/api/v1/allocation-runs/", {"quota_year": year.pk}, format="json")
    response = client_for(caseworker).post(f"/api/v1/quota-requests/{first.pk}/decline/", {"reason": "stays"})
    assert response.status_code == 200 and response.json()["state"] == "declined"
    assert QuotaRequest.objects.get(pk=second.pk).state == "allocated"
    again = client_for(caseworker).post(f"/api/v1/quota-requests/{first.pk}/decline/", {})
    assert again.status_code == 400


@pytest.mark.django_db
def test_an_administrator_records_a_year_and_its_split_and_bad_numbers_are_refused(administrator):
    client = client_for(administrator)
    created = client.post(
        "/api/v1/quota-years/", {"year": 2031, "unit": "persons", "national_total": 100}, format="json"
    )
    assert created.status_code == 201
    year_id = created.json()["id"]
    assert client.post(f"/api/v1/quota-years/{year_id}/set-share/", {"region": 1, "places": 60}, format="json").status_code == 200  # fmt: skip
    over = client.post(f"/api/v1/quota-years/{year_id}/set-share/", {"region": 2, "places": 41}, format="json")
    assert over.status_code == 400 and "places" in over.json()
    assert client.post("/api/v1/quota-years/", {"year": 2032, "unit": "persons", "national_total": 0}, format="json").status_code == 400  # fmt: skip
    assert not QuotaYear.objects.filter(year=2032).exists()


@pytest.mark.django_db
def test_the_quota_use_report_is_served_by_the_api(
    analyst, administrator, year, requests_in_two_regions, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(administrator).post("/api/v1/allocation-runs/", {"quota_year": year.pk}, format="json")
    response = client_for(analyst).get("/api/v1/reports/quota-use/", {"year": year.year})
    assert response.status_code == 200
    rows = {row["region__code"]: row for row in response.json()["rows"]}
    assert rows["pavlodar"]["places"] == 6 and rows["pavlodar"]["allocated_places"] == 1
    assert rows["pavlodar"]["remaining"] == 5


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/quota-requests/", "/api/v1/allocation-runs/", "/api/v1/quota-years/"])
def test_list_endpoints_use_a_constant_number_of_queries(administrator, django_assert_max_num_queries, url):
    year = make_year(shares={"pavlodar": 50})
    client = client_for(administrator)
    client.get(url)  # warm caches (content types, role)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    for i in range(2):
        file_request(year, minutes=i, categories=["large-family"])
    AllocationRun.objects.create(quota_year=year)
    few = count()
    for i in range(8):
        file_request(year, minutes=10 + i, categories=["disabled-member", "large-family"])
        AllocationRun.objects.create(quota_year=year)
        make_year(shares={"akmola": 1})
    with django_assert_max_num_queries(few):
        client.get(url)


@pytest.mark.django_db
def test_a_caseworker_sees_whole_year_runs_and_runs_of_their_region_only(caseworker, year, other_region, region):
    whole = AllocationRun.objects.create(quota_year=year)
    mine = AllocationRun.objects.create(quota_year=year, region=region)
    AllocationRun.objects.create(quota_year=year, region=other_region)
    ids = {row["id"] for row in client_for(caseworker).get("/api/v1/allocation-runs/").json()["results"]}
    assert ids == {whole.pk, mine.pk}
