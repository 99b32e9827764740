import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from citizenship.models import CitizenshipApplication, State
from tests.citizenship import factories as f
from tests.factories import PersonFactory

URL = "/api/v1/citizenship-applications/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def two_regions(db, region, other_region):
    here = f.application(state="under_review")
    there = f.application(person=f.kandas(region=other_region)[0], state="submitted")
    return here, there


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("caseworker", {"here"}),
        ("analyst", {"here", "there"}),
        ("administrator", {"here", "there"}),
    ],
)
def test_the_list_is_scoped_per_role(request, two_regions, role, sees):
    here, there = two_regions
    user = request.getfixturevalue(role)
    response = api(user).get(URL)
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {pk for name, pk in (("here", here.pk), ("there", there.pk)) if name in sees}


def test_center_staff_may_not_read_citizenship_applications(two_regions, center_staff):
    assert api(center_staff).get(URL).status_code == 403


def test_another_regions_application_is_not_found(two_regions, caseworker):
    _here, there = two_regions
    assert api(caseworker).get(f"{URL}{there.pk}/").status_code == 404
    assert api(caseworker).post(f"{URL}{there.pk}/start-review/").status_code == 404


def test_analysts_read_but_cannot_change(two_regions, analyst):
    here, _there = two_regions
    assert api(analyst).get(f"{URL}{here.pk}/").status_code == 200
    assert api(analyst).post(f"{URL}{here.pk}/withdraw/", {}).status_code == 403


def test_a_caseworker_files_an_application_and_a_second_one_is_refused(db, caseworker):
    person, _status = f.kandas()
    data = {"person": person.pk, "basis": "oralman", "region": caseworker.region_id}
    created = api(caseworker).post(URL, data, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["state"] == "submitted" and created.json()["decision_due"]
    again = api(caseworker).post(URL, data, format="json")
    assert again.status_code == 400
    assert again.json() == {"person": ["У этого лица уже есть незавершённое заявление о приёме в гражданство."]}
    assert CitizenshipApplication.objects.filter(person=person).count() == 1


def test_a_caseworker_cannot_file_for_a_person_of_another_region(db, caseworker, other_region):
    stranger = PersonFactory(region=other_region)
    response = api(caseworker).post(URL, {"person": stranger.pk, "basis": "general", "region": caseworker.region_id})
    assert response.status_code == 400 and "person" in response.json()


def test_the_whole_procedure_through_the_api(db, caseworker):
    app = f.application(state="submitted", documents=False)
    client = api(caseworker)
    detail = client.get(f"{URL}{app.pk}/").json()
    assert detail["legal_next_states"] == ["under_review", "returned", "withdrawn"]
    assert "renunciation" in detail["missing_documents"]
    assert client.post(f"{URL}{app.pk}/start-review/").json()["state"] == "under_review"
    refused_grant = client.post(
        f"{URL}{app.pk}/grant/",
        {
            "registering_body": "УМС ДП Павлодарской области",
            "registration_number": "9",
            "registration_date": timezone.localdate(),
            "iin": f.free_iin(app.person),
        },
    )
    assert refused_grant.status_code == 400 and "documents" in refused_grant.json()
    from oralman.models import Document

    for doc_type in detail["missing_documents"]:
        doc = Document.objects.create(
            person=app.person, doc_type=doc_type, verified_by=caseworker, verified_at=timezone.now()
        )
        assert client.post(f"{URL}{app.pk}/documents/", {"document": doc.pk}).status_code == 201
    granted = client.post(
        f"{URL}{app.pk}/grant/",
        {
            "registering_body": "УМС ДП Павлодарской области",
            "registration_number": "9",
            "registration_date": timezone.localdate(),
            "iin": f.free_iin(app.person),
        },
    )
    assert granted.status_code == 200, granted.json()
    body = granted.json()
    assert body["state"] == "granted" and body["warnings"] == [] and body["legal_next_states"] == []
    assert [t["to_state"] for t in body["transitions"]] == ["submitted", "under_review", "granted"]
    illegal = client.post(f"{URL}{app.pk}/withdraw/", {})
    assert illegal.status_code == 400 and "state" in illegal.json()


def test_refusal_needs_a_known_ground(db, caseworker):
    app = f.application(state="under_review")
    client = api(caseworker)
    assert client.post(f"{URL}{app.pk}/refuse/", {"ground": "nonsense"}).status_code == 400
    response = client.post(f"{URL}{app.pk}/refuse/", {"ground": "grave-crime", "note": "court verdict"})
    assert response.status_code == 200 and response.json()["state"] == State.REFUSED


def test_overdue_filter(db, caseworker):
    import datetime

    late = f.application(state="under_review", submitted_on=timezone.localdate() - datetime.timedelta(days=100))
    f.application(state="under_review")
    rows = api(caseworker).get(URL, {"overdue": "true"}).json()["results"]
    assert [r["id"] for r in rows] == [late.pk] and rows[0]["overdue"] is True


def test_the_list_takes_the_same_number_of_queries_for_more_rows(db, caseworker, django_assert_max_num_queries):
    client = api(caseworker)
    f.application(state="submitted")
    client.get(URL)  # the user's role is looked up once and cached
    with django_assert_max_num_queries(6) as small:
        assert client.get(URL).status_code == 200
    for _ in range(8):
        f.application(state="under_review")
    with django_assert_max_num_queries(6) as large:
        assert len(client.get(URL).json()["results"]) == 9
    assert len(small.captured_queries) == len(large.captured_queries)


def test_reference_lists(db, caseworker):
    grounds = api(caseworker).get("/api/v1/citizenship-refusal-grounds/").json()
    assert {"false-documents", "renunciation-not-confirmed"} <= {g["code"] for g in grounds}
    required = api(caseworker).get("/api/v1/citizenship-required-documents/", {"basis": "oralman"}).json()
    assert {r["doc_type"] for r in required} == {
        "application_form", "renunciation", "undertaking", "passport", "kandas_certificate",
    }  # fmt: skip
