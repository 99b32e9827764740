"""Minimal disclosure: IINs and passport numbers are masked for roles that do not need them
(ministry analysts, center staff) in admin lists, admin pages and API responses; caseworkers of
the region and administrators see them in full."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.masking import mask_iin, mask_passport
from oralman import selectors
from oralman.models import Person
from tests.factories import PersonFactory, region

IIN = "800315300018"  # a valid check digit
PASSPORT = "N12345689"


@pytest.fixture
def person(db):
    return PersonFactory(region=region("pavlodar"), iin=IIN, passport_number=PASSPORT)


@pytest.fixture
def center_staff_reach_person(monkeypatch, person):
    """The person stays in the clerk's center (how center staff reach a file is the centers app's
    business; here only what they see of it matters)."""
    monkeypatch.setattr(selectors, "_center_person_ids", lambda user: Person.objects.filter(pk=person.pk).values("pk"))


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("value", "masked"),
    [("800315300123", "800315******"), ("", ""), (None, None), ("12345", "*****")],
)
def test_an_iin_keeps_only_its_date_part(value, masked):
    assert mask_iin(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("N12345689", "N12****89"), ("AB1234567", "AB1****67"), ("12345", "*****"), ("", "")],
)
def test_a_passport_number_keeps_three_leading_and_two_trailing_characters(value, masked):
    assert mask_passport(value) == masked


def test_center_staff_get_masked_iins_in_the_api_list_and_detail(center_staff, center_staff_reach_person, person):
    client = api_as(center_staff)
    row = client.get("/api/v1/persons/").json()["results"][0]
    assert (row["iin"], row["passport_number"]) == ("800315******", "N12****89")
    detail = client.get(f"/api/v1/persons/{person.pk}/").json()
    assert (detail["iin"], detail["passport_number"]) == ("800315******", "N12****89")
    assert IIN not in client.get("/api/v1/persons/").content.decode()


def test_the_analyst_gets_masked_numbers_in_the_api(analyst, person):
    body = api_as(analyst).get("/api/v1/persons/").content.decode()
    assert IIN not in body and PASSPORT not in body
    assert "800315******" in body and "N12****89" in body
    detail = api_as(analyst).get(f"/api/v1/persons/{person.pk}/").json()
    assert detail["iin"] == "800315******"


@pytest.mark.parametrize("who", ["caseworker", "administrator"])
def test_the_regions_caseworker_and_administrators_see_full_numbers(request, who, person):
    client = api_as(request.getfixturevalue(who))
    row = client.get("/api/v1/persons/").json()["results"][0]
    assert (row["iin"], row["passport_number"]) == (IIN, PASSPORT)
    detail = client.get(f"/api/v1/persons/{person.pk}/").json()
    assert (detail["iin"], detail["passport_number"]) == (IIN, PASSPORT)


def test_the_analyst_gets_masked_iins_on_the_admin_list_and_the_person_page(client, analyst, person):
    client.force_login(analyst)
    listing = client.get("/admin/oralman/person/").content.decode()
    assert "800315******" in listing and IIN not in listing
    page = client.get(f"/admin/oralman/person/{person.pk}/change/").content.decode()
    assert IIN not in page and PASSPORT not in page
    assert "800315******" in page and "N12****89" in page


def test_center_staff_get_masked_numbers_on_the_admin_person_page(
    client, center_staff, center_staff_reach_person, person
):
    client.force_login(center_staff)
    page = client.get(f"/admin/oralman/person/{person.pk}/change/").content.decode()
    assert IIN not in page and PASSPORT not in page


@pytest.mark.parametrize("who", ["caseworker", "administrator"])
def test_the_caseworker_and_administrators_see_full_numbers_in_the_admin(client, request, who, person):
    client.force_login(request.getfixturevalue(who))
    assert IIN in client.get("/admin/oralman/person/").content.decode()
    page = client.get(f"/admin/oralman/person/{person.pk}/change/").content.decode()
    assert f'value="{IIN}"' in page and f'value="{PASSPORT}"' in page


def test_the_caseworker_may_still_edit_the_iin(client, caseworker, person):
    from core.masking import shows_identifiers

    assert shows_identifiers(caseworker, person)


def test_a_caseworker_of_another_region_is_not_shown_this_persons_numbers(other_caseworker, person):
    from core.masking import shows_identifiers

    assert not shows_identifiers(other_caseworker, person)


@pytest.fixture
def passport_document(person, caseworker):
    from oralman import services

    return services.document_add(person=person, actor=caseworker, doc_type="passport", number=PASSPORT)


def test_the_analyst_gets_masked_document_numbers_everywhere(client, analyst, person, passport_document):
    client.force_login(analyst)
    for url in (
        "/admin/oralman/document/",
        f"/admin/oralman/document/{passport_document.pk}/change/",
        f"/admin/oralman/person/{person.pk}/change/",
        "/api/v1/documents/",
        f"/api/v1/documents/{passport_document.pk}/",
    ):
        body = client.get(url).content.decode()
        assert PASSPORT not in body, url
        assert "N12****89" in body, url


def test_the_caseworker_sees_and_edits_document_numbers(client, caseworker, person, passport_document):
    client.force_login(caseworker)
    page = client.get(f"/admin/oralman/person/{person.pk}/change/").content.decode()
    assert f'value="{PASSPORT}"' in page
    assert api_as(caseworker).get(f"/api/v1/documents/{passport_document.pk}/").json()["number"] == PASSPORT


def test_the_history_page_does_not_reveal_an_old_or_new_iin_to_the_analyst(client, analyst, caseworker, person):
    from oralman import services

    services.person_update(person=person, actor=caseworker, passport_number="Z98765432")
    client.force_login(analyst)
    page = client.get(f"/admin/oralman/person/{person.pk}/history/").content.decode()
    assert "Z98765432" not in page and PASSPORT not in page
    assert "Z98****32" in page and "N12****89" in page
    client.force_login(caseworker)
    assert "Z98765432" in client.get(f"/admin/oralman/person/{person.pk}/history/").content.decode()
