import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from citizenship.models import CitizenshipApplication, State
from tests.citizenship import factories as f

CHANGELIST = "admin:citizenship_citizenshipapplication_changelist"


def change_url(app):
    return reverse("admin:citizenship_citizenshipapplication_change", args=[app.pk])


def transition_url(app, name):
    return reverse("admin:citizenship_citizenshipapplication_transition", args=[app.pk, name])


@pytest.mark.parametrize(
    ("state", "buttons"),
    [
        ("submitted", {"review", "return", "withdraw"}),
        ("under_review", {"return", "grant", "refuse", "withdraw"}),
        ("returned", {"resubmit", "withdraw"}),
        ("granted", set()),
        ("refused", set()),
        ("withdrawn", set()),
    ],
)
def test_the_change_page_offers_only_legal_transitions(client, caseworker, state, buttons):
    app = f.application(state=state)
    client.force_login(caseworker)
    body = client.get(change_url(app)).content.decode()
    offered = {
        n for n in ("review", "return", "resubmit", "grant", "refuse", "withdraw") if transition_url(app, n) in body
    }
    assert offered == buttons


def test_analysts_get_no_transition_buttons(client, analyst):
    app = f.application(state="under_review")
    client.force_login(analyst)
    response = client.get(change_url(app))
    assert response.status_code == 200
    assert transition_url(app, "grant") not in response.content.decode()
    assert client.post(transition_url(app, "withdraw"), {"reason": "x"}).status_code == 403


def test_granting_from_the_desk_shows_the_iin_warning_and_ends_the_status(client, caseworker):
    person, status = f.kandas(birth_date=datetime.date(1981, 2, 2))
    app = f.application(person=person, state="under_review")
    from tests.factories import unique_iin

    iin = unique_iin(datetime.date(1981, 2, 3), "M")
    client.force_login(caseworker)
    response = client.post(
        transition_url(app, "grant"),
        {
            "registering_body": "УМС ДП Павлодарской области",
            "registration_number": "1001",
            "registration_date": timezone.localdate().isoformat(),
            "iin": iin,
        },
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("03.02.1981" in m for m in messages)  # dd.mm.yyyy in Russian
    assert any(status.certificate_number in m for m in messages)
    app.refresh_from_db()
    status.refresh_from_db()
    assert app.state == State.GRANTED and status.termination_reason == "citizenship"


def test_a_grant_without_documents_is_refused_on_the_desk_with_a_message(client, caseworker):
    app = f.application(state="submitted", documents=False)
    f.file_documents(app, doc_types=["passport"])
    client.force_login(caseworker)
    client.post(transition_url(app, "review"), {"reason": ""})  # an empty POST counts as unbound in the base
    response = client.post(
        transition_url(app, "grant"),
        {
            "registering_body": "УМС ДП Павлодарской области",
            "registration_number": "1",
            "registration_date": timezone.localdate().isoformat(),
            "iin": f.free_iin(app.person),
        },
        follow=True,
    )
    assert any("нужны проверенные документы" in str(m) for m in response.context["messages"])
    app.refresh_from_db()
    assert app.state == State.UNDER_REVIEW


def test_filing_from_the_desk_goes_through_the_service(client, caseworker):
    person, _status = f.kandas()
    client.force_login(caseworker)
    add = reverse("admin:citizenship_citizenshipapplication_add")
    data = {"person": person.pk, "basis": "oralman", "region": caseworker.region_id,
            "submitted_on": timezone.localdate().isoformat(), "former_citizenship": ""}  # fmt: skip
    response = client.post(add, data, follow=True)
    assert response.status_code == 200
    app = CitizenshipApplication.objects.get(person=person)
    assert app.transitions.get().to_state == State.SUBMITTED and app.created_by == caseworker
    again = client.post(add, data, follow=True)
    assert any("незавершённое заявление" in str(m) for m in again.context["messages"])
    assert CitizenshipApplication.objects.filter(person=person).count() == 1


def test_the_changelist_is_scoped_and_its_queries_do_not_grow(
    client, caseworker, other_region, django_assert_max_num_queries
):
    f.application(person=f.kandas(region=other_region)[0])
    f.application(state="under_review")
    client.force_login(caseworker)
    url = reverse(CHANGELIST)
    client.get(url)
    with django_assert_max_num_queries(15) as small:
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 1
    for _ in range(6):
        f.application(state="under_review", submitted_on=timezone.localdate() - datetime.timedelta(days=100))
    with django_assert_max_num_queries(15) as large:
        response = client.get(url, {"deadline": "overdue"})
    assert len(response.context["cl"].result_list) == 6
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_history_page_shows_the_audit_trail(client, caseworker):
    app = f.application(state="under_review")
    client.force_login(caseworker)
    response = client.get(reverse("admin:citizenship_citizenshipapplication_history", args=[app.pk]))
    assert response.status_code == 200
    assert "under_review" in response.content.decode()


# --- Filing documents from the change page ---------------------------------------------------


def _unfiled_document(person, doc_type="passport"):
    from oralman.models import Document

    return Document.objects.create(person=person, doc_type=doc_type, number="N-1")


def test_documents_are_filed_from_the_change_page(client, caseworker):
    from tests.admin_forms import add_inline_row, change_form_data

    app = f.application(state="submitted", documents=False)
    passport, birth = _unfiled_document(app.person), _unfiled_document(app.person, "birth_certificate")
    client.force_login(caseworker)
    page = client.get(change_url(app))
    offered = {d.pk for d in page.context["inline_admin_formsets"][0].formset.form.base_fields["document"].queryset}
    assert offered == {passport.pk, birth.pk}
    data = change_form_data(page)
    add_inline_row(data, "filed_documents", {"document": passport.pk})
    add_inline_row(data, "filed_documents", {"document": birth.pk})
    response = client.post(change_url(app), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert set(app.filed_documents.values_list("document_id", flat=True)) == {passport.pk, birth.pk}
    assert app.filed_documents.get(document=passport).attached_by == caseworker


def test_a_document_of_another_person_is_refused_with_a_form_error(client, caseworker):
    from tests.admin_forms import add_inline_row, change_form_data

    app = f.application(state="submitted", documents=False)
    stranger = _unfiled_document(f.kandas(region=app.person.region)[0])
    client.force_login(caseworker)
    page = client.get(change_url(app))
    assert stranger.pk not in {
        d.pk for d in page.context["inline_admin_formsets"][0].formset.form.base_fields["document"].queryset
    }
    data = add_inline_row(change_form_data(page), "filed_documents", {"document": stranger.pk})
    response = client.post(change_url(app), data)
    assert response.status_code == 200
    errors = str(response.context["inline_admin_formsets"][0].formset.errors)
    assert "документов заявителя" in errors, errors
    assert not app.filed_documents.exists()


def test_the_grant_form_has_the_calendar_and_takes_dd_mm_yyyy(client, caseworker):
    app = f.application(state="under_review")
    client.force_login(caseworker)
    page = client.get(transition_url(app, "grant")).content.decode()
    assert "vDateField" in page and "DateTimeShortcuts.js" in page
    today = timezone.localdate()
    response = client.post(
        transition_url(app, "grant"),
        {"registering_body": "УМС ДП Павлодарской области", "registration_number": "7",
         "registration_date": today.strftime("%d.%m.%Y"), "iin": f.free_iin(app.person)},
    )  # fmt: skip
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == State.GRANTED and app.registration_date == today
