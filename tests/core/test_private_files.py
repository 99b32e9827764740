"""Private files: documents and exports live under random names outside any public path and are
served only to users who may view their record. Each test is an attack the design stops."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from core.models import ReportExport
from core.services import api_token_issue
from oralman import services
from oralman.models import Document
from tests.factories import PersonFactory, UserFactory, region
from tests.uploads import PDF, PNG, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(caseworker):
    person = PersonFactory(region=region("pavlodar"))
    return services.document_add(person=person, actor=caseworker, doc_type="passport", file=upload("passport.pdf", PDF))


def download_url(document) -> str:
    return f"/files/oralman.document/{document.pk}/file/"


def test_an_upload_is_stored_under_a_random_name_in_the_private_root_only(document):
    assert re.fullmatch(r"documents/[0-9a-f]{2}/[0-9a-f]{32}\.pdf", document.file.name)
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / document.file.name).read_bytes() == PDF
    assert not (Path(settings.MEDIA_ROOT) / document.file.name).exists()
    assert str(document.person.pk) not in document.file.name.split("/", 1)[1][:3]


def test_anonymous_get_of_the_old_media_path_is_404(client, document):
    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get(f"/media/documents/{document.person_id}/passport.pdf").status_code == 404


def test_nothing_is_served_under_media_url_even_with_debug_on(client, document, settings):
    from django.urls import resolve
    from django.urls.exceptions import Resolver404

    settings.DEBUG = True
    with pytest.raises(Resolver404):
        resolve(f"/{settings.MEDIA_URL}{document.file.name}".replace("//", "/"))


def test_anonymous_get_of_the_download_view_is_refused(client, document):
    response = client.get(download_url(document))
    assert response.status_code in (401, 403)
    assert PDF not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_the_caseworker_of_the_region_downloads_the_file_as_an_attachment(client, caseworker, document):
    client.force_login(caseworker)
    response = client.get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="document-{document.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_a_caseworker_of_another_region_gets_404_from_the_download_view(client, other_caseworker, document):
    client.force_login(other_caseworker)
    assert client.get(download_url(document)).status_code == 404


def test_center_staff_without_document_permission_get_404(client, center_staff, document):
    client.force_login(center_staff)
    assert client.get(download_url(document)).status_code == 404


def test_the_analyst_may_read_documents_and_downloads_them(client, analyst, document):
    client.force_login(analyst)
    assert client.get(download_url(document)).status_code == 200


def test_a_missing_row_and_a_forbidden_row_answer_alike(client, other_caseworker, document):
    client.force_login(other_caseworker)
    forbidden = client.get(download_url(document))
    missing = client.get(f"/files/oralman.document/{document.pk + 1000}/file/")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content


@pytest.mark.parametrize(
    "path",
    [
        "/files/core.user/1/password/",  # a model without private files
        "/files/oralman.document/1/person/",  # a field that is not a private file
        "/files/nosuchapp.model/1/file/",
        "/files/oralman/1/file/",
    ],
)
def test_the_download_view_serves_only_private_file_fields(client, administrator, document, path):
    client.force_login(administrator)
    assert client.get(path).status_code == 404


def test_an_api_token_client_downloads_through_the_same_check(caseworker, other_caseworker, document):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=caseworker, name='downloads')[1]}")
    response = client.get(download_url(document), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=other_caseworker, name='downloads')[1]}")
    assert client.get(download_url(document)).status_code == 404


def test_the_api_links_to_the_download_view_not_to_the_storage(caseworker, document):
    client = APIClient()
    client.force_login(caseworker)
    body = client.get(f"/api/v1/documents/{document.pk}/").json()
    assert body["file"] == f"http://testserver{download_url(document)}"
    listed = client.get("/api/v1/documents/").json()["results"]
    assert all("/media/" not in (row["file"] or "") for row in listed)


def test_the_admin_links_to_the_download_view_not_to_the_storage(client, caseworker, document):
    client.force_login(caseworker)
    page = client.get(f"/admin/oralman/document/{document.pk}/change/").content.decode()
    assert download_url(document) in page
    assert "/media/" not in page
    person_page = client.get(f"/admin/oralman/person/{document.person_id}/change/").content.decode()
    assert download_url(document) in person_page


@pytest.mark.parametrize(("server", "header"), [("nginx", "X-Accel-Redirect"), ("apache", "X-Sendfile")])
def test_production_hands_the_file_to_the_web_server(client, caseworker, document, settings, server, header):
    settings.PRIVATE_FILES_SERVER = server
    settings.PRIVATE_FILES_INTERNAL_URL = "/private-files/"
    client.force_login(caseworker)
    response = client.get(download_url(document))
    assert response.status_code == 200
    assert response.content == b""
    expected = f"/private-files/{document.file.name}" if server == "nginx" else document.file.path
    assert response[header] == expected
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_web_server_is_not_asked_for_a_file_the_user_may_not_see(client, other_caseworker, document, settings):
    settings.PRIVATE_FILES_SERVER = "nginx"
    client.force_login(other_caseworker)
    response = client.get(download_url(document))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def _export(user, **kwargs):
    export = ReportExport.objects.create(report="quota-use", format="csv", requested_by=user, state="done", **kwargs)
    export.file.save("quota-use.csv", ContentFile(b"region,share\n"), save=True)
    return export


def test_an_export_is_private_and_downloads_only_for_its_requester_and_administrators(client, analyst, administrator):
    export = _export(analyst)
    assert re.fullmatch(r"exports/[0-9a-f]{2}/[0-9a-f]{32}\.csv", export.file.name)
    url = f"/files/core.reportexport/{export.pk}/file/"
    client.force_login(analyst)
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(role="ministry_analyst", username="another-analyst"))
    assert client.get(url).status_code == 404
    client.force_login(administrator)
    assert client.get(url).status_code == 200


def test_the_export_api_links_to_the_download_view(analyst):
    export = _export(analyst)
    client = APIClient()
    client.force_login(analyst)
    body = client.get(f"/api/v1/report-exports/{export.pk}/").json()
    assert body["file"].endswith(f"/files/core.reportexport/{export.pk}/file/")


def test_files_uploaded_before_move_out_of_the_public_root(caseworker, settings, tmp_path):
    from core.files import move_public_files_to_private

    settings.MEDIA_ROOT = str(tmp_path)
    old_name = "documents/7/2025/01/passport.png"
    (tmp_path / "documents/7/2025/01").mkdir(parents=True)
    (tmp_path / old_name).write_bytes(PNG)
    document = Document.objects.create(person=PersonFactory(), doc_type="passport", file=old_name)
    assert move_public_files_to_private(Document, field_name="file", prefix="documents") == 1
    document.refresh_from_db()
    assert re.fullmatch(r"documents/[0-9a-f]{2}/[0-9a-f]{32}\.png", document.file.name)
    assert document.file.read() == PNG
    assert not (tmp_path / old_name).exists()
    assert move_public_files_to_private(Document, field_name="file", prefix="documents") == 0
