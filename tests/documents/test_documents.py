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
    verification = services.verification_for(issued.code)
    assert "зарегистрирован" in str(verification.state_label) and "указ" not in str(verification.state_label)


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
    assert "Жақсыбеков Нұрлан Әбілұлы" in body
    # Nothing personal beyond the name: no birth date, no IIN, no passport, no origin.
    assert status.person.birth_date.strftime("%d.%m.%Y") not in body
    assert status.person.passport_number not in body
    assert "Китай" not in body


def test_the_verification_page_says_an_expired_certificate_is_no_longer_valid(client, db):
    old = KandasStatusFactory(
        issued_on=timezone.localdate() - datetime.timedelta(days=500),
        valid_until=timezone.localdate() - datetime.timedelta(days=136),
    )
    body = _verify(client, _issue(old, "ru").code).content.decode()
    assert 'data-state="expired"' in body
    assert "Срок действия истёк" in body


def test_a_certificate_ended_by_citizenship_no_longer_verifies_as_valid(client, status, caseworker):
    issued = _issue(status, "ru")
    status_terminate(status=status, actor=caseworker, reason="citizenship")
    body = _verify(client, issued.code).content.decode()
    assert 'data-state="terminated"' in body
    assert "приобретено гражданство" in body


def test_a_forged_code_is_clearly_not_found(client, status):
    _issue(status)
    for forged in ("ABCD-EFGH-IJKL-MNOP", "not-a-code", "' OR 1=1 --"):
        response = _verify(client, forged)
        assert response.status_code == 404
        body = response.content.decode()
        assert 'data-state="not_found"' in body
        assert status.person.surname not in body


def test_the_decision_letter_verifies_as_in_force(client, db):
    app = f.application(state="refused")
    body = _verify(client, _issue(app, "ru", Kind.CITIZENSHIP_DECISION).code).content.decode()
    assert 'data-state="in_force"' in body and app.person.full_name in body


def test_caseworkers_download_pdfs_of_their_region_only(client, status, caseworker, other_caseworker):
    url = reverse("admin:documents_issueddocument_certificate", args=[status.pk, "kk"])
    client.force_login(caseworker)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    client.force_login(other_caseworker)
    assert client.get(url).status_code == 404


def test_the_application_page_offers_the_decision_letter_buttons(client, caseworker):
    app = f.application(state="granted")
    client.force_login(caseworker)
    body = client.get(reverse("admin:citizenship_citizenshipapplication_change", args=[app.pk])).content.decode()
    for language in ("kk", "ru"):
        assert reverse("admin:documents_issueddocument_decision", args=[app.pk, language]) in body
    response = client.get(reverse("admin:documents_issueddocument_decision", args=[app.pk, "ru"]))
    assert response.content.startswith(b"%PDF")
