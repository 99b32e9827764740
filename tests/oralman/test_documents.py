"""Case documents: date order, upload size and type checks (by content), verification."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import IntegrityError, transaction

from core.authz import NotAllowed
from core.errors import DomainError
from oralman import services
from oralman.models import Document
from tests.factories import PersonFactory, StatusApplicationFactory
from tests.uploads import JPEG, PDF, PNG, upload

D = datetime.date


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content"), [("passport.pdf", PDF), ("photo.PNG", PNG), ("scan.jpeg", JPEG)])
def test_a_pdf_png_or_jpeg_upload_is_kept(caseworker, name, content):
    person = PersonFactory()
    document = services.document_add(person=person, actor=caseworker, doc_type="passport", file=upload(name, content))
    document.refresh_from_db()
    assert document.file.read() == content
    assert document.uploaded_by == caseworker
    assert re.fullmatch(r"documents/[0-9a-f]{2}/[0-9a-f]{32}\.(pdf|png|jpeg)", document.file.name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("passport.pdf", PNG, "PDF"),  # a PNG renamed to .pdf
        ("photo.png", PDF, "PNG"),
        ("photo.jpg", b"GIF89a" + b"\x00" * 30, "JPG"),
        ("notes.txt", b"hello", "PDF, PNG"),
        ("virus.exe", b"MZ\x90\x00", "PDF, PNG"),
        ("noextension", PDF, "PDF, PNG"),
        ("empty.pdf", b"", ""),
    ],
)
def test_an_upload_whose_type_or_content_is_wrong_is_refused(caseworker, name, content, message):
    with pytest.raises(DomainError) as exc:
        services.document_add(person=PersonFactory(), actor=caseworker, doc_type="passport", file=upload(name, content))
    assert exc.value.field == "file"
    assert message in str(exc.value.message)
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_an_upload_over_the_size_limit_is_refused(caseworker, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(DomainError) as exc:
        services.document_add(
            person=PersonFactory(), actor=caseworker, doc_type="passport", file=upload("big.pdf", PDF + b"0" * 2000)
        )
    assert exc.value.field == "file"
    assert not Document.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("until", [D(2020, 1, 1), D(2019, 12, 31)])
def test_a_document_cannot_expire_before_or_on_its_issue_date(caseworker, until):
    with pytest.raises(DomainError) as exc:
        services.document_add(
            person=PersonFactory(), actor=caseworker, doc_type="passport", issued_on=D(2020, 1, 1), valid_until=until
        )
    assert exc.value.field == "valid_until"


@pytest.mark.django_db
def test_the_database_keeps_document_dates_in_order():
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            person=PersonFactory(), doc_type="passport", issued_on=D(2020, 1, 1), valid_until=D(2019, 1, 1)
        )


@pytest.mark.django_db
def test_a_document_cannot_be_attached_to_another_persons_application(caseworker):
    application = StatusApplicationFactory()
    with pytest.raises(DomainError) as exc:
        services.document_add(person=PersonFactory(), actor=caseworker, doc_type="passport", application=application)
    assert exc.value.field == "application"


@pytest.mark.django_db
def test_verification_records_who_and_when_once(caseworker, other_caseworker):
    document = services.document_add(person=PersonFactory(), actor=caseworker, doc_type="birth_certificate")
    verified = services.document_verify(document=document, actor=caseworker)
    verified.refresh_from_db()
    assert verified.verified_by == caseworker
    assert verified.verified_at is not None
    with pytest.raises(DomainError):
        services.document_verify(document=document, actor=caseworker)
    with pytest.raises(NotAllowed):  # another region's caseworker may not touch it at all
        services.document_verify(document=document, actor=other_caseworker)
    verified.refresh_from_db()
    assert verified.verified_by == caseworker


@pytest.mark.django_db
def test_the_database_requires_verifier_and_time_together():
    document = Document.objects.create(person=PersonFactory(), doc_type="photo")
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(verified_at=datetime.datetime.now(datetime.UTC))


# --- Through the API ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_accepts_a_multipart_upload_and_verifies_it(api, caseworker):
    person = PersonFactory()
    client = api(caseworker)
    response = client.post(
        "/api/v1/documents/",
        {"person": person.pk, "doc_type": "passport", "number": "E1", "file": upload("p.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    document = Document.objects.get(pk=response.json()["id"])
    assert document.uploaded_by == caseworker

    verified = client.post(f"/api/v1/documents/{document.pk}/verify/")
    assert verified.status_code == 200
    assert verified.json()["verified_by"] == caseworker.pk
    again = client.post(f"/api/v1/documents/{document.pk}/verify/")
    assert again.status_code == 400


@pytest.mark.django_db
def test_the_api_refuses_a_png_named_pdf_with_a_field_error(api, caseworker):
    response = api(caseworker).post(
        "/api/v1/documents/",
        {"person": PersonFactory().pk, "doc_type": "passport", "file": upload("p.pdf", PNG, "application/pdf")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "PDF" in response.json()["file"][0]
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_dates_out_of_order_with_a_field_error(api, caseworker):
    response = api(caseworker).post(
        "/api/v1/documents/",
        {"person": PersonFactory().pk, "doc_type": "passport", "issued_on": "2020-05-01", "valid_until": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["valid_until"]


@pytest.mark.django_db
def test_the_admin_verify_action_marks_documents(client, caseworker):
    document = Document.objects.create(person=PersonFactory(), doc_type="photo")
    client.force_login(caseworker)
    response = client.post(
        "/admin/oralman/document/", {"action": "verify", "_selected_action": [document.pk]}, follow=True
    )
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.verified_by == caseworker
