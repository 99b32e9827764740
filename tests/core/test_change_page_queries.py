"""Change pages run the same number of queries however many rows hang off the record (documents,
members, filed documents, other people's applications in the region)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oralman.models import Document, FamilyMember
from tests.citizenship import factories as cf
from tests.factories import FamilyFactory, KandasStatusFactory, PersonFactory, StatusApplicationFactory


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def documents(person, n):
    for i in range(n):
        Document.objects.create(person=person, doc_type="photo", number=f"P{person.pk}-{i}-{Document.objects.count()}")


def person_page():
    application = StatusApplicationFactory()
    person = application.applicant
    Document.objects.filter(person=person).update(application=application)

    def grow(n):
        documents(person, n)
        for _ in range(n):  # other people's applications in the region: never offered on this page
            StatusApplicationFactory(complete=False)

    return reverse("admin:oralman_person_change", args=[person.pk]), grow


def family_page():
    family = FamilyFactory()

    def grow(n):
        for _ in range(n):
            FamilyMember.objects.create(family=family, person=PersonFactory(), relationship="child")

    return reverse("admin:oralman_family_change", args=[family.pk]), grow


def status_application_page():
    family = FamilyFactory()
    application = StatusApplicationFactory(applicant=family.head, family=family)

    def grow(n):
        from oralman.models import ApplicationMember

        for _ in range(n):
            child = PersonFactory()
            FamilyMember.objects.create(family=family, person=child, relationship="child")
            ApplicationMember.objects.create(application=application, person=child)
            documents(child, 2)
        documents(family.head, n)

    return reverse("admin:oralman_statusapplication_change", args=[application.pk]), grow


def kandas_status_page():
    status = KandasStatusFactory()

    def grow(n):
        documents(status.person, n)
        for _ in range(n):
            KandasStatusFactory()

    return reverse("admin:oralman_kandasstatus_change", args=[status.pk]), grow


def citizenship_application_page():
    application = cf.application(state="submitted", documents=True)

    def grow(n):
        for _ in range(n):
            document = Document.objects.create(person=application.person, doc_type="photo", number="X")
            cf.services.application_attach_document(application=application, document=document, actor=None)
        documents(application.person, n)

    return reverse("admin:citizenship_citizenshipapplication_change", args=[application.pk]), grow


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page", [person_page, family_page, status_application_page, kandas_status_page, citizenship_application_page]
)
def test_a_change_page_runs_a_constant_number_of_queries(client, caseworker, page):
    url, grow = page()
    client.force_login(caseworker)
    client.get(url)  # warm caches (content types, sessions) before counting
    few = count_queries(client, url)
    grow(6)
    many = count_queries(client, url)
    assert few == many


@pytest.mark.django_db
def test_saving_a_person_runs_a_constant_number_of_queries_however_many_documents(client, caseworker):
    from tests.admin_forms import change_form_data

    url, grow = person_page()
    client.force_login(caseworker)

    def save_queries(profession):
        data = change_form_data(client.get(url)) | {"profession": profession}
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, data)
        assert response.status_code == 302, response.context and response.context["errors"]
        return len(queries)

    save_queries("teacher")
    few = save_queries("driver")
    grow(6)
    assert save_queries("teacher") == few


@pytest.mark.django_db
def test_a_placement_page_runs_the_same_queries_for_a_family_of_two_and_of_seven(client, caseworker):
    from tests.adaptation_centers.factories import CenterFactory, family_of, referred_check_in

    center = CenterFactory(capacity=40)
    small = referred_check_in(center=center, family=family_of(2), actor=None)
    large = referred_check_in(center=center, family=family_of(7), actor=None)
    client.force_login(caseworker)
    small_url = reverse("admin:adaptation_centers_placement_change", args=[small.pk])
    large_url = reverse("admin:adaptation_centers_placement_change", args=[large.pk])
    client.get(small_url)
    assert count_queries(client, small_url) == count_queries(client, large_url)
