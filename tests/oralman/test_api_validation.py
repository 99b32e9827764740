"""Bad input answers 400 with field-level messages, never 500."""

from __future__ import annotations

import pytest

from oralman.models import ApplicationState, Person
from tests.factories import PersonFactory, country, region

S = ApplicationState


def _payload(**overrides) -> dict:
    data = {
        "surname": "Серікбаев",
        "given_name": "Нұрлан",
        "surname_latin": "Serikbaev",
        "given_name_latin": "Nurlan",
        "birth_date": "1975-07-30",
        "sex": "M",
        "country_of_origin": country("MN").pk,
        "region": region("pavlodar").pk,
    }
    data.update(overrides)
    return data


@pytest.fixture
def client(api, caseworker):
    return api(caseworker)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"iin": "900101300005"}, "iin"),  # wrong check digit
        ({"iin": "901301300005"}, "iin"),  # month 13
        ({"iin": "12345"}, "iin"),
        ({"iin": "9001017000AB"}, "iin"),
        ({"region": 999999}, "region"),  # unknown region
        ({"region": "pavlodar"}, "region"),
        ({"country_of_origin": 999999}, "country_of_origin"),
        ({"birth_date": "1975-02-30"}, "birth_date"),
        ({"birth_date": "2999-01-01"}, "birth_date"),  # in the future
        ({"sex": "X"}, "sex"),
        ({"surname": "Serikbaev"}, "surname"),  # Latin letters in the Cyrillic field
        ({"given_name_latin": "Нұрлан"}, "given_name_latin"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"languages": "kk"}, "languages"),
        ({"surname": ""}, "surname"),
    ],
)
def test_a_bad_person_field_answers_400_naming_the_field(client, overrides, field):
    response = client.post("/api/v1/persons/", _payload(**overrides), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    assert isinstance(body[field], list) and body[field][0]
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_several_bad_fields_are_all_reported(client):
    response = client.post("/api/v1/persons/", _payload(iin="1", region=999999, sex="?"), format="json")
    assert response.status_code == 400
    assert {"iin", "region", "sex"} <= set(response.json())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    ['{"surname": "Серікбаев",', "not json at all", '["a", "list"]', "null", '{"surname": }'],
)
def test_a_malformed_json_body_answers_400(client, body):
    response = client.generic("POST", "/api/v1/persons/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()


@pytest.mark.django_db
def test_a_malformed_multipart_upload_answers_400(client):
    person = PersonFactory()
    no_boundary = client.generic(
        "POST", "/api/v1/documents/", b"--x\r\ngarbage", content_type="multipart/form-data"
    )  # fmt: skip
    assert no_boundary.status_code == 400
    broken = client.generic(
        "POST",
        "/api/v1/documents/",
        b'--BOUNDARY\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 trunc',
        content_type="multipart/form-data; boundary=BOUNDARY",
    )
    assert broken.status_code == 400
    not_a_file = client.post(
        "/api/v1/documents/", {"person": person.pk, "doc_type": "passport", "file": "just text"}, format="multipart"
    )
    assert not_a_file.status_code == 400
    assert "file" in not_a_file.json()


@pytest.mark.django_db
def test_an_unknown_document_type_and_foreign_person_answer_400(client):
    theirs = PersonFactory(region=region("akmola"))
    response = client.post("/api/v1/documents/", {"person": theirs.pk, "doc_type": "ticket"}, format="json")
    assert response.status_code == 400
    assert {"person", "doc_type"} <= set(response.json())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "action", "data"),
    [
        (S.DRAFT, "grant", {}),
        (S.DRAFT, "start-review", {}),
        (S.GRANTED, "withdraw", {"reason": "x"}),
        (S.REFUSED, "submit", {}),
        (S.WITHDRAWN, "return", {"reason": "passport"}),
        (S.SUBMITTED, "refuse", {"ground": "false-documents"}),
    ],
)
def test_an_illegal_transition_answers_400_on_the_state_field(client, make_application, state, action, data):
    application = make_application(state)
    response = client.post(f"/api/v1/status-applications/{application.pk}/{action}/", data, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["state"]
    application.refresh_from_db()
    assert application.state == state


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("return", {}, "reason"),
        ("return", {"reason": "  "}, "reason"),
        ("refuse", {}, "ground"),
        ("refuse", {"ground": "no-such-ground"}, "ground"),
    ],
)
def test_a_transition_with_missing_input_answers_400_on_that_field(client, make_application, action, data, field):
    application = make_application(S.UNDER_REVIEW)
    response = client.post(f"/api/v1/status-applications/{application.pk}/{action}/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_a_legal_transition_answers_the_application_with_its_next_states(client, make_application):
    application = make_application(S.SUBMITTED)
    response = client.post(f"/api/v1/status-applications/{application.pk}/start-review/")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == S.UNDER_REVIEW
    assert body["next_states"] == [S.COMMISSION, S.RETURNED, S.GRANTED, S.REFUSED, S.WITHDRAWN]
    assert [t["to_state"] for t in body["transitions"]] == [S.SUBMITTED, S.UNDER_REVIEW]


@pytest.mark.django_db
def test_a_second_open_application_answers_400(client, make_application):
    application = make_application(S.SUBMITTED)
    response = client.post(
        "/api/v1/status-applications/",
        {"applicant": application.applicant_id, "region": application.region_id},
        format="json",
    )
    assert response.status_code == 400
    assert "applicant" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [({"months": 0}, "months"), ({"months": "six"}, "months"), ({"months": 7}, "months")],
)
def test_a_bad_extension_answers_400(client, make_application, caseworker, data, field):
    from tests.oralman.conftest import perform

    status = perform(make_application(S.UNDER_REVIEW), S.GRANTED, actor=caseworker)
    response = client.post(f"/api/v1/statuses/{status.pk}/extend/", data, format="json")
    assert response.status_code == 400
    assert field in response.json() or "detail" in response.json()


@pytest.mark.django_db
def test_a_bad_termination_answers_400(client, make_application, caseworker):
    from tests.oralman.conftest import perform

    status = perform(make_application(S.UNDER_REVIEW), S.GRANTED, actor=caseworker)
    response = client.post(f"/api/v1/statuses/{status.pk}/terminate/", {"reason": "boredom"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    response = client.post(
        f"/api/v1/statuses/{status.pk}/terminate/", {"reason": "departure", "on": "2000-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "on" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [{"birth_date__gte": "yesterday"}, {"region": "abc"}, {"page": "x"}, {"page": 999}, {"ordering": "nonsense"}],
)
def test_bad_list_parameters_never_answer_500(client, query):
    response = client.get("/api/v1/persons/", query)
    assert response.status_code in (200, 400, 404)


@pytest.mark.django_db
def test_changing_a_person_to_another_persons_iin_answers_400(client):
    from core.iin import make_iin

    iin = make_iin(PersonFactory().birth_date, "M", 555)
    PersonFactory(iin=iin)
    other = PersonFactory()
    response = client.patch(f"/api/v1/persons/{other.pk}/", {"iin": iin}, format="json")
    assert response.status_code == 400
    assert "iin" in response.json()


@pytest.mark.django_db
def test_a_family_headed_by_a_member_of_another_family_answers_400(client):
    from oralman.models import Family
    from tests.factories import FamilyFactory

    existing = FamilyFactory()
    response = client.post("/api/v1/families/", {"head": existing.head_id}, format="json")
    assert response.status_code == 400
    assert "person" in response.json()
    assert Family.objects.count() == 1
