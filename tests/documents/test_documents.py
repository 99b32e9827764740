import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.models import IssuedDocument, normalise_code
from oralman.services import status_terminate
from tests.citizenship import factories as f
from tests.factories import KandasStatusFactory, PersonFactory

Kind = IssuedDocument.Kind


@pytest.fixture
def status(db):
    person = PersonFactory(surname="Жақсыбеков", given_name="Нұрлан", patronymic="Әбілұлы")
    return KandasStatusFactory(person=person, certificate_number="KND-PAVLOD-2026-000042")


def _issue(subject, language="kk", kind=Kind.KANDAS_CERTIFICATE, actor=None):
    return services.document_issue(kind=kind, subject=subject, language=language, actor=actor)


@pytest.mark.parametrize(("language", "title"), [("kk", "ҚАНДАС КУӘЛІГІ"), ("ru", "УДОСТОВЕРЕНИЕ КАНДАСА")])
def test_the_certificate_renders_as_a_pdf_with_the_name_and_code(status, language, title):
    issued = _issue(status, language)
    document = services.render_document(issued)
    pdf = document.write_pdf(uncompressed_pdf=True)
    assert pdf.startswith(b"%PDF")
    text = services.page_text(document)
    assert "Жақсыбеков Нұрлан Әбілұлы" in text
    assert title in text.upper()
    assert issued.code in text
    assert "KND-PAVLOD-2026-000042" in text
    # DejaVu (it has every Kazakh letter) is embedded under the family name the template gives it.
    assert b"+KandasSerif" in pdf and b"/FontFile2" in pdf


def test_the_decision_letter_renders_in_both_languages(db, caseworker):
    app = f.application(state="granted")
    for language, word in (("kk", "азаматтығына қабылданды"), ("ru", "Принят в гражданство")):
        issued = _issue(app, language, Kind.CITIZENSHIP_DECISION, caseworker)
        document = services.render_document(issued)
        assert document.write_pdf().startswith(b"%PDF")
        text = " ".join(services.page_text(document).split())
        assert app.person.full_name in text and word in text and app.registration_number in text


def test_the_kandas_decision_letter_is_a_registration_not_a_decree(db, caseworker):
    app = f.application(state="granted")
    issued = _issue(app, "ru", Kind.CITIZENSHIP_DECISION, caseworker)
    text = " ".join(services.page_text(services.render_document(issued)).split())
    assert "Приём зарегистрировал" in text and app.registering_body in text
    assert "органами внутренних дел в регистрационном (упрощённом) порядке" in text
    assert "Указ" not in text and "указ" not in text
    verification = services.verification_for(issued.code)  # the public page: valid, kind, number only
    assert verification.is_valid and "указ" not in str(verification.kind_label).lower()


def test_a_decision_letter_needs_a_decision(db, caseworker):
    from core.errors import DomainError

    with pytest.raises(DomainError):
        _issue(f.application(state="under_review"), "ru", Kind.CITIZENSHIP_DECISION, caseworker)


def test_printing_again_gives_the_same_code_and_codes_are_unguessable(status):
    first = _issue(status, "kk")
    assert _issue(status, "kk") == first
    other = _issue(status, "ru")
    assert other.code != first.code
    assert len(first.code) == 19 and normalise_code(first.code.lower().replace("-", " ")) == first.code


def _verify(client, code):
    return client.get(reverse("documents:verify", args=[code]))


def test_the_verification_page_confirms_a_valid_certificate_without_login(client, status):
    issued = _issue(status)
    response = _verify(client, issued.code)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="valid"' in body
    assert status.certificate_number in body
    assert "Ж. Н. Ә." in body
    # Minimal disclosure: initials only, no name, no dates, no IIN, no passport, no origin.
    assert "Жақсыбеков" not in body and "Нұрлан" not in body
    assert status.person.birth_date.strftime("%d.%m.%Y") not in body
    assert status.valid_until.strftime("%d.%m.%Y") not in body
    assert status.person.passport_number not in body
    assert "Китай" not in body


def test_the_verification_page_says_an_expired_certificate_is_no_longer_valid(client, db):
    old = KandasStatusFactory(
        issued_on=timezone.localdate() - datetime.timedelta(days=500),
        valid_until=timezone.localdate() - datetime.timedelta(days=136),
    )
    body = _verify(client, _issue(old, "ru").code).content.decode()
    assert 'data-state="invalid"' in body
    assert "БОЛЬШЕ НЕ действителен" in body
    assert old.valid_until.strftime("%d.%m.%Y") not in body


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("citizenship", ["гражданств"]),
        ("revoked", ["подложн", "аннулир", "отозван"]),
        ("death", ["смерть", "смерт"]),
        ("departure", ["выезд", "выехал"]),
    ],
)
def test_the_public_page_never_says_why_a_status_ended(client, status, caseworker, reason, words):
    issued = _issue(status, "ru")
    status_terminate(status=status, actor=caseworker, reason=reason)
    body = _verify(client, issued.code).content.decode()
    assert 'data-state="invalid"' in body
    assert 'data-state="terminated"' not in body
    for word in words:
        assert word not in body.lower()
    assert timezone.localdate().strftime("%d.%m.%Y") not in body


def test_a_forged_code_is_clearly_not_found(client, status):
    _issue(status)
    for forged in ("ABCD-EFGH-IJKL-MNOP", "not-a-code", "' OR 1=1 --"):
        response = _verify(client, forged)
        assert response.status_code == 404
        body = response.content.decode()
        assert 'data-state="not_found"' in body
        assert status.person.surname not in body


def test_the_decision_letter_verifies_as_in_force_without_saying_it_was_a_refusal(client, db):
    app = f.application(state="refused")
    body = _verify(client, _issue(app, "ru", Kind.CITIZENSHIP_DECISION).code).content.decode()
    assert 'data-state="valid"' in body
    assert app.person.full_name not in body
    assert "отказ" not in body.lower()


def test_caseworkers_download_pdfs_of_their_region_only(client, status, caseworker, other_caseworker):
    url = reverse("admin:documents_issueddocument_certificate", args=[status.pk, "kk"])
    client.force_login(caseworker)
    assert client.post(url)["Location"] == url
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    client.force_login(other_caseworker)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_the_application_page_offers_the_decision_letter_buttons(client, caseworker):
    app = f.application(state="granted")
    client.force_login(caseworker)
    change_url = reverse("admin:citizenship_citizenshipapplication_change", args=[app.pk])
    body = client.get(change_url).content.decode()
    for language in ("kk", "ru"):
        url = reverse("admin:documents_issueddocument_decision", args=[app.pk, language])
        assert f'formaction="{url}" formmethod="post"' in body
    url = reverse("admin:documents_issueddocument_decision", args=[app.pk, "ru"])
    response = client.post(url, follow=True)
    assert response.content.startswith(b"%PDF")
    body = client.get(change_url).content.decode()
    assert f'<a class="button" href="{url}">PDF' in body


def test_a_get_on_a_printout_address_creates_nothing(client, status, caseworker):
    client.force_login(caseworker)
    for language in ("kk", "ru"):
        url = reverse("admin:documents_issueddocument_certificate", args=[status.pk, language])
        assert client.get(url).status_code == 404
    assert not IssuedDocument.objects.exists()


def test_the_status_page_offers_issue_buttons_that_post(client, status, caseworker):
    client.force_login(caseworker)
    body = client.get(reverse("admin:oralman_kandasstatus_change", args=[status.pk])).content.decode()
    url = reverse("admin:documents_issueddocument_certificate", args=[status.pk, "kk"])
    assert f'formaction="{url}" formmethod="post"' in body
    assert not IssuedDocument.objects.exists()


def test_issuing_twice_gives_the_same_printout(client, status, caseworker):
    client.force_login(caseworker)
    url = reverse("admin:documents_issueddocument_certificate", args=[status.pk, "ru"])
    client.post(url)
    client.post(url)
    [issued] = IssuedDocument.objects.all()
    assert issued.issued_by == caseworker


def test_analysts_download_issued_printouts_but_do_not_issue(client, status, caseworker, analyst):
    url = reverse("admin:documents_issueddocument_certificate", args=[status.pk, "kk"])
    client.force_login(analyst)
    assert client.post(url).status_code == 403
    assert not IssuedDocument.objects.exists()
    _issue(status, "kk", actor=caseworker)
    assert client.get(url).content.startswith(b"%PDF")


def test_the_issued_document_scope_is_one_exists_per_printout_with_the_same_rows(
    db, caseworker, other_caseworker, analyst, center_staff, other_region
):
    """Issue 16: the scope probes each printout's status / application (EXISTS) instead of hashing
    every status and application of the region; the rows are those of the status and application scopes."""
    from django.db.models import Q

    from citizenship.selectors import application_list
    from documents.selectors import issued_document_list
    from oralman.selectors import status_list

    here_status = _issue(KandasStatusFactory())
    there_status = _issue(KandasStatusFactory(person=PersonFactory(region=other_region)))
    here_app = _issue(f.application(state="granted"), "kk", Kind.CITIZENSHIP_DECISION, caseworker)
    there_person = f.kandas(region=other_region)[0]
    there_app = _issue(f.application(person=there_person, state="granted"), "kk", Kind.CITIZENSHIP_DECISION)
    expected = {
        caseworker: {here_status.pk, here_app.pk},
        other_caseworker: {there_status.pk, there_app.pk},
        analyst: {here_status.pk, there_status.pk, here_app.pk, there_app.pk},
        center_staff: set(),
    }
    for user, pks in expected.items():
        rows = issued_document_list(user=user)
        assert set(rows.values_list("pk", flat=True)) == pks, user.username
        old = IssuedDocument.objects.filter(
            Q(kandas_status__in=status_list(user=user).values("pk"))
            | Q(citizenship_application__in=application_list(user=user).values("pk"))
        )
        assert set(old.values_list("pk", flat=True)) == pks, user.username
        sql = str(rows.query)
        assert "EXISTS(" in sql and '"documents_issueddocument"."kandas_status_id" IN' not in sql
