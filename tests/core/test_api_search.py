"""Issue 16: the API's `?search=` is the admin's indexed search (core.search, the person matcher
within the user's scope), answered from the ids it found rather than a subquery PostgreSQL misjudges."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import search
from tests.factories import PersonFactory, StatusApplicationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/status-applications/"


@pytest.fixture
def cases(region, other_region):
    def application(region, iin):
        person = PersonFactory(
            surname="Сейітов", given_name="Асқар", surname_latin="Seitov", given_name_latin="Askar",
            region=region, iin=iin,
        )  # fmt: skip
        return StatusApplicationFactory(applicant=person, region=region, complete=False)

    return {
        "mine": application(region, "850101300011"),
        "theirs": application(other_region, "850101300022"),
        "other": StatusApplicationFactory(region=region, applicant=PersonFactory(region=region), complete=False),
    }


def _found(client, user, term):
    client.force_login(user)
    response = client.get(URL, {"search": term})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("term", ["Сейітов", "сейитов", "Seitov", "Seytov", "8501013000", "850101300011"])
def test_the_api_search_finds_by_surname_in_either_script_and_by_iin_or_its_prefix(client, caseworker, cases, term):
    assert _found(client, caseworker, term) == {cases["mine"].pk}


def test_the_api_search_stays_in_the_users_scope(client, caseworker, analyst, cases):
    assert _found(client, caseworker, "850101300022") == set()
    assert _found(client, analyst, "Сейітов") == {cases["mine"].pk, cases["theirs"].pk}


def test_the_page_is_read_by_the_ids_found_not_by_the_matcher_subquery(client, caseworker, cases):
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL, {"search": "Сейітов"})

    reads = [q["sql"] for q in queries.captured_queries if 'FROM "oralman_statusapplication"' in q["sql"]]
    assert sum('FROM "oralman_person"' in sql for sql in reads) == 1, reads  # the ids, read once
    assert f"IN ({cases['mine'].pk})" in reads[-1], reads[-1]


def test_a_search_finding_many_rows_keeps_the_subquery(client, caseworker, cases, monkeypatch):
    monkeypatch.setattr(search, "RESOLVED_IDS_MAX", 0)

    assert _found(client, caseworker, "Сейітов") == {cases["mine"].pk}
    assert _found(client, caseworker, "850101300022") == set()


def test_the_admin_list_searches_once_and_reads_the_page_and_count_by_ids(client, caseworker, cases):
    """The admin's changelist runs the matcher once; its page and its count read the ids found
    (at 1,000,000 persons each ran the trigram search again: 112 ms of database time -> 65 ms)."""
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/oralman/statusapplication/", {"q": "Сейітов"})
    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [cases["mine"].pk]
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "oralman_statusapplication"' in q["sql"]]
    assert sum('FROM "oralman_person"' in sql for sql in reads) == 1, reads
