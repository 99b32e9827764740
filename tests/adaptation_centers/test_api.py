import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from adaptation_centers.models import Placement, ServiceRecord
from adaptation_centers.services import service_record_log
from tests.adaptation_centers.factories import CenterFactory, family_of, kind, refer, referred_check_in
from tests.factories import PersonFactory, region

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_check_in_check_out_over_the_api(center, clerk):
    family = family_of(3)
    refer(center, family=family)
    client = api(clerk)
    response = client.post(
        "/api/v1/placements/check-in/", {"center": center.pk, "identifier": family.head.passport_number}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["beds"] == 3 and len(body["occupants"]) == 3
    free = client.get(f"/api/v1/centers/{center.pk}/").json()["free_beds"]
    assert free == 17
    response = client.post(f"/api/v1/placements/{body['id']}/check-out/", {"reason": "housing"}, format="json")
    assert response.status_code == 200
    assert response.json()["checked_out_on"] == timezone.localdate().isoformat()


def test_a_refused_check_in_is_a_400_with_the_translated_message(center, clerk):
    person = PersonFactory()
    refer(center, person=person)
    center.is_open = False
    center.save()
    response = api(clerk).post(
        "/api/v1/placements/check-in/",
        {"center": center.pk, "identifier": person.passport_number},
        format="json",
    )
    assert response.status_code == 400
    assert "закрыт" in response.json()["center"][0]
    assert not Placement.objects.exists()


def test_check_out_before_check_in_is_a_400(center, clerk):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    response = api(clerk).post(
        f"/api/v1/placements/{placement.pk}/check-out/",
        {"reason": "housing", "checked_out_on": (placement.check_in_on - datetime.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "checked_out_on" in response.json()


def test_extension_over_the_api_needs_a_reason(center, clerk):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    until = (placement.planned_check_out_on + datetime.timedelta(days=10)).isoformat()
    client = api(clerk)
    assert (
        client.post(
            f"/api/v1/placements/{placement.pk}/extend/", {"until": until, "reason": " "}, format="json"
        ).status_code
        == 400
    )
    response = client.post(
        f"/api/v1/placements/{placement.pk}/extend/", {"until": until, "reason": "болезнь"}, format="json"
    )
    assert response.status_code == 200 and response.json()["planned_check_out_on"] == until


def test_a_group_service_over_the_api_and_a_stranger_refused(center, clerk):
    placement = referred_check_in(center=center, family=family_of(2), actor=clerk)
    people = [o.person_id for o in placement.occupants.all()]
    client = api(clerk)
    payload = {"center": center.pk, "kind": kind("psychological-help").pk, "persons": people, "hours": "1.5"}
    response = client.post("/api/v1/service-records/", payload, format="json")
    assert response.status_code == 201 and len(response.json()) == 2
    stranger = PersonFactory(surname="Чужаков")
    payload["persons"] = [*people, stranger.pk]
    response = client.post("/api/v1/service-records/", payload, format="json")
    assert response.status_code == 400
    assert "Чужаков" not in response.content.decode()
    assert ServiceRecord.objects.count() == 2


@pytest.mark.parametrize(("who", "code"), [("caseworker", 403), ("analyst", 403)])
def test_caseworkers_and_analysts_cannot_check_in_over_the_api(request, center, who, code):
    response = api(request.getfixturevalue(who)).post(
        "/api/v1/placements/check-in/",
        {"center": center.pk, "identifier": PersonFactory().passport_number},
        format="json",
    )
    assert response.status_code == code
    assert not Placement.objects.exists()


def test_a_clerk_cannot_check_in_to_another_center_over_the_api(clerk):
    other = CenterFactory()
    response = api(clerk).post(
        "/api/v1/placements/check-in/",
        {"center": other.pk, "identifier": PersonFactory().passport_number},
        format="json",
    )
    assert response.status_code == 400
    assert "center" in response.json()


@pytest.mark.parametrize(
    ("who", "ours", "theirs"),
    [
        ("administrator", True, True),
        ("analyst", True, True),
        ("caseworker", True, False),
        ("other_caseworker", False, True),
        ("clerk", True, False),
    ],
)
def test_api_lists_are_scoped(request, center, who, ours, theirs):
    user = request.getfixturevalue(who)
    mine = referred_check_in(center=center, person=PersonFactory(), actor=None)
    other = CenterFactory(region=region("akmola"))
    foreign = referred_check_in(center=other, person=PersonFactory(region=region("akmola")), actor=None)
    service_record_log(center=center, kind=kind(), persons=[mine.person], actor=None)
    service_record_log(center=other, kind=kind(), persons=[foreign.person], actor=None)
    client = api(user)
    placements = {p["id"] for p in client.get("/api/v1/placements/").json()["results"]}
    assert (mine.pk in placements, foreign.pk in placements) == (ours, theirs)
    people = {r["person"] for r in client.get("/api/v1/service-records/").json()["results"]}
    assert (mine.person_id in people, foreign.person_id in people) == (ours, theirs)
    expected = 404 if not theirs else 200
    assert client.get(f"/api/v1/placements/{foreign.pk}/").status_code == expected


def test_center_staff_see_only_their_center(center, clerk):
    CenterFactory()
    assert [c["id"] for c in api(clerk).get("/api/v1/centers/").json()["results"]] == [center.pk]


def test_the_service_kinds_are_listed(clerk):
    codes = {k["code"] for k in api(clerk).get("/api/v1/service-kinds/").json()}
    assert {"language-kazakh", "employment-help", "legal-consultation"} <= codes


@pytest.mark.parametrize("url", ["/api/v1/placements/", "/api/v1/service-records/", "/api/v1/centers/"])
def test_api_lists_make_the_same_number_of_queries_at_two_sizes(administrator, url, django_assert_max_num_queries):
    def grow(n):
        for _ in range(n):
            p = referred_check_in(center=CenterFactory(), family=family_of(2), actor=None)
            service_record_log(center=p.center, kind=kind(), persons=[p.person], actor=None)

    client = api(administrator)
    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(url).json()["results"]) >= 8


def test_the_schema_lists_the_centers_endpoints(administrator):
    paths = api(administrator).get("/api/schema/?format=json").json()["paths"]
    assert {"/api/v1/placements/check-in/", "/api/v1/placements/{id}/check-out/", "/api/v1/service-records/"} <= set(
        paths
    )
