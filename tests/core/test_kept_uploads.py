"""A file chosen on a form that comes back with errors is kept: the redisplayed page says so and
carries a signed token; posting the corrected form with the token alone saves the file."""

from __future__ import annotations

import re

import pytest

from core import kept_uploads
from oralman.models import Document, ImportBatch
from tests.admin_forms import add_inline_row, change_form_data
from tests.factories import PersonFactory, region
from tests.uploads import PDF, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def kept_token(response, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}{kept_uploads.SUFFIX}" value="([^"]+)"', response.content.decode())
    assert match, f"no kept file for {name}"
    return match.group(1)


def test_a_document_upload_survives_an_error_elsewhere_on_the_page(client, caseworker):
    client.force_login(caseworker)
    data = {"person": PersonFactory().pk, "doc_type": "passport", "number": "N1", "issued_on": "01.01.2999",
            "file": upload("passport.pdf", PDF), "translation": ""}  # fmt: skip
    response = client.post("/admin/oralman/document/add/", data)
    assert response.status_code == 200 and "issued_on" in response.context["adminform"].form.errors
    assert "passport.pdf" in response.content.decode()
    data |= {"issued_on": "01.01.2020", "file__kept": kept_token(response, "file")}
    del data["file"]
    assert client.post("/admin/oralman/document/add/", data).status_code == 302
    document = Document.objects.get()
    with document.file.open("rb") as saved:
        assert saved.read() == PDF


def test_a_document_row_of_the_person_page_keeps_its_file_when_the_person_form_has_an_error(client, caseworker):
    person = PersonFactory()
    url = f"/admin/oralman/person/{person.pk}/change/"
    client.force_login(caseworker)
    data = change_form_data(client.get(url))
    add_inline_row(data, "documents", {"doc_type": "photo", "number": "F1", "file": upload("photo.pdf", PDF)})
    data["birth_date"] = "01.01.2999"
    response = client.post(url, data)
    assert response.status_code == 200
    token = kept_token(response, "documents-0-file")
    data |= {"birth_date": "01.01.1980", "documents-0-file__kept": token}
    del data["documents-0-file"]
    assert client.post(url, data).status_code == 302
    assert Document.objects.get(person=person).file.read() == PDF


def test_the_import_upload_survives_a_missing_field(client, caseworker):
    client.force_login(caseworker)
    content = b"external_id;surname\n"
    data = {"source": "", "region": region("pavlodar").pk, "file": upload("list.csv", content), "accept_partial": ""}
    response = client.post("/admin/oralman/importbatch/add/", data)
    assert response.status_code == 200 and "source" in response.context["adminform"].form.errors
    token = kept_token(response, "file")
    restored = kept_uploads.restore(token, owner_id=caseworker.pk)
    assert restored.name == "list.csv" and restored.read() == content
    assert not ImportBatch.objects.exists()


def test_a_token_is_the_uploaders_alone_and_cannot_be_forged(caseworker, other_caseworker):
    token = kept_uploads.keep(upload("a.pdf", PDF), owner_id=caseworker.pk)
    assert kept_uploads.restore(token, owner_id=other_caseworker.pk) is None
    assert kept_uploads.restore(token[:-2] + "xx", owner_id=caseworker.pk) is None
    assert kept_uploads.restore(token, owner_id=caseworker.pk).read() == PDF
    assert kept_uploads.restore(token, owner_id=caseworker.pk) is None  # used once, then deleted


def test_a_kept_file_is_content_checked_again_when_restored(client, caseworker):
    client.force_login(caseworker)
    bad = pdf_bytes(extra_catalog="/OpenAction << /S /JavaScript /JS (app.alert(1)) >> ")
    token = kept_uploads.keep(upload("scan.pdf", bad), owner_id=caseworker.pk)  # as if kept before a rule change
    data = {"person": PersonFactory().pk, "doc_type": "passport", "number": "N1", "translation": "",
            "file__kept": token}  # fmt: skip
    response = client.post("/admin/oralman/document/add/", data)
    assert response.status_code == 200 and "file" in response.context["adminform"].form.errors
    assert not Document.objects.exists()
