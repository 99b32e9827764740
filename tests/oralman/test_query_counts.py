"""List pages run the same number of queries whatever the number of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oralman import services
from tests.factories import FamilyFactory, KandasStatusFactory, PersonFactory, StatusApplicationFactory
from tests.oralman.conftest import perform

ADMIN_LISTS = [
    "admin:oralman_person_changelist",
    "admin:oralman_statusapplication_changelist",
    "admin:oralman_kandasstatus_changelist",
    "admin:oralman_family_changelist",
    "admin:oralman_document_changelist",
]
API_LISTS = [
    "/api/v1/persons/",
    "/api/v1/status-applications/",
    "/api/v1/families/",
    "/api/v1/documents/",
    "/api/v1/statuses/",
]


def add_rows(n: int, actor) -> None:
    """n persons, each with a family of two, a submitted application, a document and a status."""
    for _ in range(n):
        family = FamilyFactory()
        services.family_add_member(family=family, person=PersonFactory(), relationship="spouse", actor=actor)
        perform(StatusApplicationFactory(applicant=family.head, family=family), "submitted", actor=actor)
        services.document_add(person=family.head, actor=actor, doc_type="photo", number="1")
        KandasStatusFactory()


def count_queries(http, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ADMIN_LISTS)
def test_an_admin_list_page_runs_a_constant_number_of_queries(client, caseworker, url_name):
    client.force_login(caseworker)
    url = reverse(url_name)
    add_rows(3, caseworker)
    client.get(url)  # warm caches (content types, sessions) before counting
    few = count_queries(client, url)
    add_rows(27, caseworker)
    many = count_queries(client, url)
    assert few == many


@pytest.mark.django_db
@pytest.mark.parametrize("url", API_LISTS)
def test_an_api_list_runs_a_constant_number_of_queries(api, caseworker, url):
    http = api(caseworker)
    add_rows(3, caseworker)
    http.get(url)
    few = count_queries(http, url)
    add_rows(27, caseworker)
    many = count_queries(http, url)
    assert few == many
    assert len(http.get(url).json()["results"]) >= 30


@pytest.mark.django_db
def test_an_application_detail_runs_a_constant_number_of_queries(api, caseworker, make_application):
    few = make_application("returned")
    many = make_application("returned")
    for _ in range(10):
        perform(many, "submitted", actor=caseworker)
        perform(many, "returned", actor=caseworker)
    http = api(caseworker)
    http.get(f"/api/v1/status-applications/{few.pk}/")
    assert count_queries(http, f"/api/v1/status-applications/{few.pk}/") == count_queries(
        http, f"/api/v1/status-applications/{many.pk}/"
    )
