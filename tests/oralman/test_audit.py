"""The audit trail (django-pghistory triggers): who changed what, by service, admin or API."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from core.audit import acting, history_for
from oralman import services
from oralman.models import ApplicationState, Person
from tests.factories import FamilyFactory, KandasStatusFactory, PersonFactory
from tests.oralman.conftest import perform
from tests.oralman.test_scoping import _admin_person_form

S = ApplicationState


def _updates(obj):
    return list(history_for(obj).filter(pgh_label="update"))


@pytest.mark.django_db
def test_a_service_write_records_the_acting_user_and_the_change(caseworker):
    person = PersonFactory(profession="")
    services.person_update(person=person, actor=caseworker, profession="teacher")
    [event] = _updates(person)
    assert event.pgh_context["user"] == caseworker.pk
    assert event.pgh_diff["profession"] == ["", "teacher"]


@pytest.mark.django_db
def test_creation_is_recorded_with_its_actor(caseworker):
    result = services.person_create(
        actor=caseworker,
        surname="Қасымов",
        given_name="Бауыржан",
        surname_latin="Kasymov",
        given_name_latin="Bauyrzhan",
        birth_date=datetime.date(1990, 1, 1),
        sex="M",
        country_of_origin_id=PersonFactory().country_of_origin_id,
        region_id=caseworker.region_id,
    )
    [event] = history_for(result.person)
    assert event.pgh_label == "insert"
    assert event.pgh_context["user"] == caseworker.pk


@pytest.mark.django_db
def test_a_transition_records_the_actor_and_reason_on_the_application(make_application, caseworker):
    application = make_application(S.SUBMITTED)
    services.application_return(application=application, actor=caseworker, reason="marriage certificate missing")
    event = next(e for e in _updates(application) if e.pgh_diff.get("state") == [S.SUBMITTED, S.RETURNED])
    assert event.pgh_context["user"] == caseworker.pk
    assert event.pgh_context["reason"] == "marriage certificate missing"


@pytest.mark.django_db
def test_every_case_model_is_tracked(make_application, caseworker):
    family = FamilyFactory()
    document = services.document_add(person=family.head, actor=caseworker, doc_type="photo")
    status = perform(make_application(S.UNDER_REVIEW), S.GRANTED, actor=caseworker)
    for obj in (family, family.members.get(), document, status, status.application, family.head):
        assert history_for(obj).exists(), type(obj).__name__


@pytest.mark.django_db
def test_bulk_updates_outside_services_are_recorded_too(caseworker):
    person = PersonFactory(profession="")
    with acting(caseworker, job="bulk fix"):
        Person.objects.filter(pk=person.pk).update(profession="driver")
    [event] = _updates(person)
    assert event.pgh_context == {"user": caseworker.pk, "job": "bulk fix"}
    assert event.pgh_diff["profession"] == ["", "driver"]


@pytest.mark.django_db
def test_an_admin_change_records_the_request_user(client, caseworker):
    person = PersonFactory(profession="")
    client.force_login(caseworker)
    url = reverse("admin:oralman_person_change", args=[person.pk])
    response = client.post(url, _admin_person_form(person, profession="nurse"))
    assert response.status_code == 302
    [event] = _updates(person)
    assert event.pgh_context["user"] == caseworker.pk
    assert event.pgh_context["url"] == url
    assert event.pgh_diff["profession"] == ["", "nurse"]


@pytest.mark.django_db
def test_an_api_change_records_the_request_user(api, caseworker):
    person = PersonFactory(profession="")
    response = api(caseworker).patch(f"/api/v1/persons/{person.pk}/", {"profession": "vet"}, format="json")
    assert response.status_code == 200
    [event] = _updates(person)
    assert event.pgh_context["user"] == caseworker.pk
    assert event.pgh_diff["profession"] == ["", "vet"]


@pytest.mark.django_db
def test_an_api_change_with_a_token_records_the_token_user(caseworker):
    from rest_framework.test import APIClient

    from core.services import api_token_issue

    person = PersonFactory(profession="")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=caseworker, name='test')[1]}")
    assert client.patch(f"/api/v1/persons/{person.pk}/", {"profession": "cook"}, format="json").status_code == 200
    [event] = _updates(person)
    assert event.pgh_context["user"] == caseworker.pk


@pytest.mark.django_db
def test_the_admin_history_page_shows_who_changed_what(client, caseworker, administrator):
    person = PersonFactory(profession="")
    services.person_update(person=person, actor=caseworker, profession="engineer")
    client.force_login(administrator)
    response = client.get(reverse("admin:oralman_person_history", args=[person.pk]))
    assert response.status_code == 200
    html = response.text
    assert "caseworker" in html
    assert "Профессия" in html and "engineer" in html  # the field's name in the reader's language


@pytest.mark.django_db
def test_the_history_page_of_another_regions_case_is_not_shown(client, other_caseworker):
    status = KandasStatusFactory()
    client.force_login(other_caseworker)
    response = client.get(reverse("admin:oralman_kandasstatus_history", args=[status.pk]))
    assert response.status_code == 404
