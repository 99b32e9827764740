"""The status law through the API and the admin: the same services, the new fields shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from oralman.models import ApplicationState, Document, DocumentType, KandasStatus
from tests.factories import FamilyFactory, PersonFactory, StatusApplicationFactory, file_required_documents, unique_iin
from tests.oralman.conftest import perform, through_commission

S = ApplicationState


@pytest.fixture
def client(api, caseworker):
    return api(caseworker)


@pytest.fixture
def admin_client(caseworker):
    client = Client()
    client.force_login(caseworker)
    return client


def _at_commission(caseworker, **kwargs):
    application = StatusApplicationFactory(**kwargs)
    perform(application, S.SUBMITTED, actor=caseworker)
    perform(application, S.UNDER_REVIEW, actor=caseworker)
    through_commission(application, actor=caseworker)
    return application


@pytest.mark.django_db
def test_the_api_shows_the_checklist_and_refuses_an_incomplete_grant_with_400(client, caseworker):
    application = _at_commission(caseworker)
    Document.objects.filter(person=application.applicant, doc_type=DocumentType.AUTOBIOGRAPHY).delete()
    body = client.get(f"/api/v1/status-applications/{application.pk}/").json()
    assert [m["doc_type"] for m in body["missing_documents"]] == ["autobiography"]
    response = client.post(f"/api/v1/status-applications/{application.pk}/grant/", {}, format="json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_the_api_grant_takes_the_iins_of_the_applicant_and_the_listed_members(client, caseworker):
    family = FamilyFactory()
    wife = PersonFactory(sex="F")
    family.members.create(person=wife, relationship="spouse")
    application = StatusApplicationFactory(applicant=family.head, family=family)
    file_required_documents(wife)
    listed = client.post(
        f"/api/v1/status-applications/{application.pk}/list-member/", {"person": wife.pk}, format="json"
    )
    assert listed.status_code == 200, listed.json()
    assert [m["person"] for m in listed.json()["listed_members"]] == [wife.pk]
    perform(application, S.SUBMITTED, actor=caseworker)
    perform(application, S.UNDER_REVIEW, actor=caseworker)
    assert client.post(f"/api/v1/status-applications/{application.pk}/refer-to-commission/").status_code == 200
    recommended = client.post(
        f"/api/v1/status-applications/{application.pk}/commission-recommend/",
        {"recommendation": "grant"},
        format="json",
    )
    assert recommended.json()["commission_recommendation"] == "grant"

    missing_iin = client.post(f"/api/v1/status-applications/{application.pk}/grant/", {}, format="json")
    assert missing_iin.status_code == 400
    iin = unique_iin(wife.birth_date, "F")
    granted = client.post(
        f"/api/v1/status-applications/{application.pk}/grant/", {"iins": {str(wife.pk): iin}}, format="json"
    )
    assert granted.status_code == 200, granted.json()
    assert KandasStatus.objects.filter(application=application).count() == 2
    wife.refresh_from_db()
    assert wife.iin == iin


@pytest.mark.django_db
def test_the_api_takes_and_shows_the_former_citizen_answer_and_the_translation(client, caseworker):
    person = PersonFactory(former_kz_citizen=None)
    response = client.patch(f"/api/v1/persons/{person.pk}/", {"former_kz_citizen": False}, format="json")
    assert response.status_code == 200 and response.json()["former_kz_citizen"] is False
    document = client.post(
        "/api/v1/documents/",
        {"person": person.pk, "doc_type": "autobiography", "translation": "original"},
        format="json",
    )
    assert document.status_code == 201, document.json()
    assert document.json()["translation"] == "original"


@pytest.mark.django_db
def test_the_admin_grant_form_asks_the_iin_of_each_grantee_without_one(admin_client, caseworker):
    application = _at_commission(caseworker)
    application.applicant.iin = None
    application.applicant.save(update_fields=["iin"])
    url = reverse("admin:oralman_statusapplication_transition", args=[application.pk, "grant"])
    page = admin_client.get(url)
    assert f'name="iin_{application.applicant.pk}"' in page.content.decode()

    iin = unique_iin(application.applicant.birth_date, application.applicant.sex)
    admin_client.post(url, {f"iin_{application.applicant.pk}": iin})
    application.applicant.refresh_from_db()
    assert application.applicant.iin == iin
    assert KandasStatus.objects.filter(application=application).exists()


@pytest.mark.django_db
def test_the_admin_application_page_shows_the_checklist(admin_client, caseworker):
    application = StatusApplicationFactory()
    Document.objects.filter(person=application.applicant, doc_type=DocumentType.PURPOSE_OF_MOVE).delete()
    page = admin_client.get(reverse("admin:oralman_statusapplication_change", args=[application.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "цели переезда" in html  # the missing document, in Russian


@pytest.mark.django_db
def test_the_admin_lists_a_family_member_through_the_service(admin_client, caseworker):
    family = FamilyFactory()
    son = PersonFactory()
    family.members.create(person=son, relationship="child")
    application = StatusApplicationFactory(applicant=family.head, family=family)
    url = reverse("admin:oralman_statusapplication_change", args=[application.pk])
    form = {
        "representative": "", "family": family.pk, "region": application.region_id, "channel": "psc",
        "listed_members-TOTAL_FORMS": "1", "listed_members-INITIAL_FORMS": "0",
        "listed_members-MIN_NUM_FORMS": "0", "listed_members-MAX_NUM_FORMS": "1000",
        "listed_members-0-person": son.pk, "listed_members-0-application": application.pk,
        "transitions-TOTAL_FORMS": "0", "transitions-INITIAL_FORMS": "0",
        "transitions-MIN_NUM_FORMS": "0", "transitions-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    response = admin_client.post(url, form, follow=True)
    assert response.redirect_chain
    assert [str(m) for m in response.context["messages"] if m.level_tag == "error"] == []
    assert list(application.listed_members.values_list("person", flat=True)) == [son.pk]


def _buttons(admin_client, application) -> set[str]:
    page = admin_client.get(reverse("admin:oralman_statusapplication_change", args=[application.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    return {
        name
        for name in ("submit", "review", "commission", "recommend", "return", "grant", "refuse", "withdraw")
        if reverse("admin:oralman_statusapplication_transition", args=[application.pk, name]) in html
    }


@pytest.mark.django_db
def test_the_admin_offers_grant_and_refuse_only_once_the_commission_has_recommended(admin_client, caseworker):
    """Under a rule with a commission step the buttons are the service's moves: no grant before the
    commission recommends, and the grant URL refuses as the service would."""
    application = StatusApplicationFactory()
    perform(application, S.SUBMITTED, actor=caseworker)
    perform(application, S.UNDER_REVIEW, actor=caseworker)
    application.refresh_from_db()
    from oralman import services

    assert services._rule_of(application).commission_working_days  # the rule in force has the step
    assert _buttons(admin_client, application) == {"commission", "return", "withdraw"}
    assert services.application_next_states(application) == [S.COMMISSION, S.RETURNED, S.WITHDRAWN]

    services.application_refer_to_commission(application=application, actor=caseworker)
    application.refresh_from_db()
    assert _buttons(admin_client, application) == {"recommend", "return", "withdraw"}

    services.application_commission_recommend(application=application, actor=caseworker, recommendation="grant")
    application.refresh_from_db()
    assert _buttons(admin_client, application) == {"recommend", "return", "grant", "refuse", "withdraw"}


@pytest.mark.django_db
def test_a_decided_application_page_is_read_only(admin_client, caseworker):
    application = _at_commission(caseworker)
    perform(application, S.REFUSED, actor=caseworker)
    application.refresh_from_db()
    assert application.state == S.REFUSED
    url = reverse("admin:oralman_statusapplication_change", args=[application.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert admin_client.post(url, {"region": application.region_id}).status_code == 403
