"""Region scoping, role by action, through both the admin and the API.

The case lives in Pavlodar Region. `own` is Pavlodar's caseworker, `other` Akmola's; the ministry
analyst sees the whole country and changes nothing; center staff see no status applications (and
no persons unless placed in their center); the administrator sees and changes everything."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oralman.models import ApplicationState, Person, StatusApplication
from tests.factories import FamilyFactory, PersonFactory, StatusApplicationFactory, country, region
from tests.oralman.conftest import perform

S = ApplicationState
ROLES = {
    "own": "caseworker",
    "other": "other_caseworker",
    "analyst": "analyst",
    "center": "center_staff",
    "admin": "administrator",
}


@pytest.fixture
def case(caseworker):
    application = StatusApplicationFactory(applicant=PersonFactory(region=region("pavlodar")))
    perform(application, S.SUBMITTED, actor=caseworker)
    FamilyFactory(head=application.applicant)
    return application


def _person_payload(**overrides) -> dict:
    data = {
        "surname": "Нұрланов",
        "given_name": "Ерлан",
        "patronymic": "",
        "surname_latin": "Nurlanov",
        "given_name_latin": "Erlan",
        "patronymic_latin": "",
        "birth_date": "1979-02-03",
        "sex": "M",
        "country_of_origin": country("UZ").pk,
        "passport_number": "FA0001122",
        "ethnicity": "kazakh",
        "preferred_language": "ru",
        "region": region("pavlodar").pk,
    }
    data.update(overrides)
    return data


def _admin_person_form(person: Person, **overrides) -> dict:
    data = _person_payload(
        surname=person.surname,
        given_name=person.given_name,
        surname_latin=person.surname_latin,
        given_name_latin=person.given_name_latin,
        birth_date=person.birth_date.isoformat(),
        sex=person.sex,
        country_of_origin=person.country_of_origin_id,
        citizenship=person.citizenship_id or "",
        passport_number=person.passport_number,
        region=person.region_id,
        languages="",
        **{
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
            "documents-MIN_NUM_FORMS": "0",
            "documents-MAX_NUM_FORMS": "1000",
        },
    )
    data.update(overrides)
    return data


# --- The actions; each returns a short outcome word ----------------------------------------------


def api_list_applications(client, case):
    response = client.get("/api/v1/status-applications/")
    if response.status_code != 200:
        return response.status_code
    return "sees" if case.pk in [r["id"] for r in response.json()["results"]] else "hidden"


def api_list_persons(client, case):
    response = client.get("/api/v1/persons/")
    assert response.status_code == 200
    return "sees" if case.applicant_id in [r["id"] for r in response.json()["results"]] else "hidden"


def api_list_families(client, case):
    response = client.get("/api/v1/families/")
    assert response.status_code == 200
    return "sees" if case.applicant_id in [r["head"] for r in response.json()["results"]] else "hidden"


def api_detail_application(client, case):
    return client.get(f"/api/v1/status-applications/{case.pk}/").status_code


def api_detail_person(client, case):
    return client.get(f"/api/v1/persons/{case.applicant_id}/").status_code


def api_change_person(client, case):
    response = client.patch(f"/api/v1/persons/{case.applicant_id}/", {"profession": "welder"}, format="json")
    changed = Person.objects.filter(pk=case.applicant_id, profession="welder").exists()
    assert changed == (response.status_code == 200)
    return response.status_code


def api_create_person_in_pavlodar(client, case):
    response = client.post("/api/v1/persons/", _person_payload(), format="json")
    created = Person.objects.filter(passport_number="FA0001122").exists()
    assert created == (response.status_code == 201)
    if response.status_code == 400:
        assert "region" in response.json()
    return response.status_code


def api_create_application_in_pavlodar(client, case):
    applicant = PersonFactory(region=region("pavlodar"))
    response = client.post(
        "/api/v1/status-applications/", {"applicant": applicant.pk, "region": applicant.region_id}, format="json"
    )
    created = StatusApplication.objects.filter(applicant=applicant).exists()
    assert created == (response.status_code == 201)
    if response.status_code == 400:
        assert {"applicant", "region"} <= set(response.json())
    return response.status_code


def api_transition(client, case):
    response = client.post(f"/api/v1/status-applications/{case.pk}/start-review/")
    moved = StatusApplication.objects.get(pk=case.pk).state == S.UNDER_REVIEW
    assert moved == (response.status_code == 200)
    return response.status_code


def admin_list_applications(client, case):
    response = client.get(reverse("admin:oralman_statusapplication_changelist"))
    if response.status_code != 200:
        return response.status_code
    return "sees" if case.pk in [o.pk for o in response.context["cl"].result_list] else "hidden"


def admin_list_persons(client, case):
    response = client.get(reverse("admin:oralman_person_changelist"))
    if response.status_code != 200:
        return response.status_code
    return "sees" if case.applicant_id in [o.pk for o in response.context["cl"].result_list] else "hidden"


def admin_view_application(client, case):
    """'editable' (save and transition buttons), 'readonly', 'missing' (redirected away) or a code."""
    response = client.get(reverse("admin:oralman_statusapplication_change", args=[case.pk]))
    if response.status_code == 302:
        assert response.url == reverse("admin:index")
        return "missing"
    if response.status_code != 200:
        return response.status_code
    buttons = [t.name for t in response.context["transitions"]]
    if response.context["has_change_permission"]:
        assert buttons == ["review", "return", "withdraw"]
        assert reverse("admin:oralman_statusapplication_transition", args=[case.pk, "review"]) in response.text
        return "editable"
    assert buttons == []
    assert "/transition/" not in response.text
    return "readonly"


def admin_change_person(client, case):
    person = case.applicant
    url = reverse("admin:oralman_person_change", args=[person.pk])
    response = client.post(url, _admin_person_form(person, profession="welder"))
    changed = Person.objects.filter(pk=person.pk, profession="welder").exists()
    if response.status_code == 302 and changed:
        return "changed"
    assert not changed
    if response.status_code == 302:
        assert response.url == reverse("admin:index")
        return "missing"
    return response.status_code


def admin_add_person_in_pavlodar(client, case):
    response = client.post(
        reverse("admin:oralman_person_add"), _admin_person_form(PersonFactory.build(), passport_number="FA0001122")
    )
    created = Person.objects.filter(passport_number="FA0001122").exists()
    if response.status_code == 302 and created:
        return "created"
    assert not created
    if response.status_code == 200:
        assert "region" in response.context["adminform"].form.errors
        return "refused"
    return response.status_code


def admin_transition(client, case):
    url = reverse("admin:oralman_statusapplication_transition", args=[case.pk, "review"])
    response = client.post(url, {"reason": ""})
    moved = StatusApplication.objects.get(pk=case.pk).state == S.UNDER_REVIEW
    if response.status_code == 302 and moved:
        return "moved"
    assert not moved
    return response.status_code


EXPECTED = {
    #                              own        other     analyst     center     admin
    # Center staff have no permission on applications at all (roles.py): 403 before any lookup.
    api_list_applications: ("sees", "hidden", "sees", 403, "sees"),
    api_list_persons: ("sees", "hidden", "sees", "hidden", "sees"),
    api_list_families: ("sees", "hidden", "sees", "hidden", "sees"),
    api_detail_application: (200, 404, 200, 403, 200),
    api_detail_person: (200, 404, 200, 404, 200),
    # Center staff may only read persons (roles.py): every write is refused by its permission.
    api_change_person: (200, 404, 403, 403, 200),
    api_create_person_in_pavlodar: (201, 400, 403, 403, 201),
    api_create_application_in_pavlodar: (201, 400, 403, 403, 201),
    api_transition: (200, 404, 403, 403, 200),
    admin_list_applications: ("sees", "hidden", "sees", 403, "sees"),
    admin_list_persons: ("sees", "hidden", "sees", "hidden", "sees"),
    admin_view_application: ("editable", "missing", "readonly", 403, "editable"),
    admin_change_person: ("changed", "missing", 403, 403, "changed"),
    admin_add_person_in_pavlodar: ("created", "refused", 403, 403, "created"),
    admin_transition: ("moved", 404, 403, 404, "moved"),
}
MATRIX = [
    (action, role, expected[i]) for action, expected in EXPECTED.items() for i, role in enumerate(ROLES)
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "role", "expected"), MATRIX, ids=[f"{a.__name__}-{r}" for a, r, _ in MATRIX]
)  # fmt: skip
def test_each_role_reaches_exactly_its_scope(request, client, api, case, action, role, expected):
    user = request.getfixturevalue(ROLES[role])
    if action.__name__.startswith("api_"):
        http = api(user)
    else:
        client.force_login(user)
        http = client
    assert action(http, case) == expected


@pytest.mark.django_db
def test_the_admin_offers_a_caseworker_only_their_own_region(client, caseworker):
    client.force_login(caseworker)
    response = client.get(reverse("admin:oralman_statusapplication_add"))
    regions = list(response.context["adminform"].form.fields["region"].queryset)
    assert regions == [region("pavlodar")]


@pytest.mark.django_db
def test_the_admin_offers_a_caseworker_only_applicants_of_their_region(client, caseworker):
    mine = PersonFactory(region=region("pavlodar"))
    theirs = PersonFactory(region=region("akmola"))
    client.force_login(caseworker)
    form = client.get(reverse("admin:oralman_statusapplication_add")).context["adminform"].form
    applicants = set(form.fields["applicant"].queryset)
    assert mine in applicants and theirs not in applicants
    response = client.post(
        reverse("admin:oralman_statusapplication_add"),
        {"applicant": theirs.pk, "region": region("pavlodar").pk, "channel": "psc"},
    )
    assert response.status_code == 200
    assert "applicant" in response.context["adminform"].form.errors
    assert not StatusApplication.objects.filter(applicant=theirs).exists()


@pytest.mark.django_db
def test_token_authentication_gets_the_same_scope(caseworker, other_caseworker, case):
    from rest_framework.test import APIClient

    from core.services import api_token_issue

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=other_caseworker, name='test')[1]}")
    assert client.get(f"/api/v1/status-applications/{case.pk}/").status_code == 404
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=caseworker, name='test')[1]}")
    assert client.get(f"/api/v1/status-applications/{case.pk}/").status_code == 200


@pytest.mark.django_db
def test_anonymous_requests_are_refused(client, case):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/status-applications/").status_code in (401, 403)
    response = client.get(reverse("admin:oralman_statusapplication_changelist"))
    assert response.status_code == 302 and "/login/" in response.url
