"""Bad input stops at the edge (a 400 naming the field, the same on create and on update) and at the
database (CHECK constraints), never as a 500 and never stored (issue 15)."""

from __future__ import annotations

import datetime
import json
import time

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from core.api.parsers import json_depth_exceeds
from oralman.models import Document, Person
from quotas.models import QuotaYear
from tests.factories import PersonFactory, country, region

pytestmark = pytest.mark.django_db
FUTURE = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _person_payload(**overrides) -> dict:
    data = {
        "surname": "Серікбаев", "given_name": "Нұрлан", "surname_latin": "Serikbaev", "given_name_latin": "Nurlan",
        "birth_date": "1975-07-30", "sex": "M", "country_of_origin": country("MN").pk, "region": region("pavlodar").pk,
    }  # fmt: skip
    return {**data, **overrides}


def _assert_field_error(response, field):
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


@pytest.mark.parametrize("birth_date", ["0001-01-01", "9999-12-31", "1799-12-31", FUTURE])
def test_an_implausible_birth_date_is_refused_on_create(caseworker, birth_date):
    response = client_of(caseworker).post("/api/v1/persons/", _person_payload(birth_date=birth_date), format="json")
    _assert_field_error(response, "birth_date")
    assert not Person.objects.exists()


@pytest.mark.parametrize("birth_date", ["0001-01-01", "9999-12-31", FUTURE])
def test_a_patch_cannot_store_a_birth_date_that_create_refuses(caseworker, birth_date):
    person = PersonFactory(region=region("pavlodar"), birth_date=datetime.date(1980, 5, 1))
    response = client_of(caseworker).patch(f"/api/v1/persons/{person.pk}/", {"birth_date": birth_date}, format="json")
    _assert_field_error(response, "birth_date")
    person.refresh_from_db()
    assert person.birth_date == datetime.date(1980, 5, 1)


@pytest.mark.parametrize("languages", [[1, 2], ["kk", 3], ["KK"], ["kazakh"], ["²"], "kk", [["kk"]], [None]])
def test_languages_must_be_a_list_of_iso_codes_on_create_and_update(caseworker, languages):
    client = client_of(caseworker)
    _assert_field_error(
        client.post("/api/v1/persons/", _person_payload(languages=languages), format="json"), "languages"
    )
    person = PersonFactory(region=region("pavlodar"), languages=["kk"])
    _assert_field_error(
        client.patch(f"/api/v1/persons/{person.pk}/", {"languages": languages}, format="json"), "languages"
    )
    person.refresh_from_db()
    assert person.languages == ["kk"]


def test_valid_languages_are_stored_as_given(caseworker):
    response = client_of(caseworker).post(
        "/api/v1/persons/", _person_payload(languages=["kk", "ru", "mn"]), format="json"
    )
    assert response.status_code == 201, response.content
    assert Person.objects.get().languages == ["kk", "ru", "mn"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("issued_on", "0001-01-01"), ("issued_on", "9999-12-31"), ("issued_on", FUTURE), ("valid_until", "9999-12-31"),
     ("valid_until", "0001-01-02")],
)  # fmt: skip
def test_an_implausible_document_date_is_refused_on_create_and_update(caseworker, field, value):
    client = client_of(caseworker)
    person = PersonFactory(region=region("pavlodar"))
    payload = {"person": person.pk, "doc_type": "passport", "number": "N1", field: value}
    _assert_field_error(client.post("/api/v1/documents/", payload, format="json"), field)
    document = Document.objects.create(person=person, doc_type="passport", number="N2")
    _assert_field_error(client.patch(f"/api/v1/documents/{document.pk}/", {field: value}, format="json"), field)
    document.refresh_from_db()
    assert getattr(document, field) is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: PersonFactory(birth_date=datetime.date(1, 1, 1)),
        lambda: PersonFactory(birth_date=datetime.date(9999, 12, 31)),
        lambda: PersonFactory(citizen_since=datetime.date(9999, 12, 31)),
        lambda: Document.objects.create(person=PersonFactory(), doc_type="passport", issued_on=datetime.date(1, 1, 1)),
        lambda: Document.objects.create(person=PersonFactory(), doc_type="passport", valid_until=datetime.date(9999, 1, 1)),
        lambda: QuotaYear.objects.create(year=2031, unit="families", national_total=2**31 - 1),
    ],
)  # fmt: skip
def test_the_database_refuses_implausible_values_that_bypass_the_services(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


# --- The JSON parser: depth and size -----------------------------------------------------------


@pytest.mark.parametrize("depth", [40, 5_000, 200_000])
def test_deeply_nested_json_is_a_400(caseworker, depth):
    body = '{"surname": ' + "[" * depth + "]" * depth + "}"
    response = client_of(caseworker).generic("POST", "/api/v1/persons/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "detail" in response.json()


def test_json_nested_within_the_limit_is_parsed_normally(caseworker):
    response = client_of(caseworker).post("/api/v1/persons/", _person_payload(languages=["kk"]), format="json")
    assert response.status_code == 201


def test_a_16_mb_json_body_is_refused_without_being_parsed(caseworker):
    body = json.dumps({"surname": "x" * (16 * 1024 * 1024)})
    started = time.monotonic()
    response = client_of(caseworker).generic("POST", "/api/v1/persons/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert time.monotonic() - started < 2
    assert not Person.objects.exists()


def test_the_depth_check_is_iterative_and_exact():
    assert not json_depth_exceeds({"a": [1, {"b": 2}]}, 3)
    assert json_depth_exceeds({"a": [1, {"b": []}]}, 3)
    assert not json_depth_exceeds("plain", 0)


# --- Digits, integers ---------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["²", "١٢٣", "12³", "٣"])
def test_a_check_in_identifier_of_non_ascii_digits_is_a_400(clerk_and_center, identifier):
    clerk, center = clerk_and_center
    response = client_of(clerk).post(
        "/api/v1/placements/check-in/", {"center": center.pk, "identifier": identifier}, format="json"
    )
    _assert_field_error(response, "identifier")


@pytest.fixture
def clerk_and_center(center_staff):
    from tests.adaptation_centers.factories import CenterFactory, staff_of

    center = CenterFactory(capacity=10)
    staff_of(center, center_staff)
    return center_staff, center


@pytest.mark.parametrize("total", [2**31, 2**31 - 1, 2**63, 10**30, 10_000_001])
def test_a_national_total_beyond_any_real_quota_is_a_400(administrator, total):
    client = client_of(administrator)
    response = client.post(
        "/api/v1/quota-years/", {"year": 2031, "unit": "families", "national_total": total}, format="json"
    )
    _assert_field_error(response, "national_total")
    assert not QuotaYear.objects.filter(year=2031).exists()
    year = QuotaYear.objects.create(year=2032, unit="families", national_total=100)
    response = client.post(f"/api/v1/quota-years/{year.pk}/set-total/", {"national_total": total}, format="json")
    _assert_field_error(response, "national_total")
    response = client.post(
        f"/api/v1/quota-years/{year.pk}/set-share/", {"region": region("pavlodar").pk, "places": total}, format="json"
    )
    _assert_field_error(response, "places")
    year.refresh_from_db()
    assert year.national_total == 100


def test_a_family_member_id_beyond_bigint_is_a_400(caseworker):
    from oralman import services

    head = PersonFactory(region=region("pavlodar"))
    family = services.family_create(head=head, actor=caseworker)
    response = client_of(caseworker).post(
        f"/api/v1/families/{family.pk}/remove-member/", {"member": 2**63}, format="json"
    )
    _assert_field_error(response, "member")
