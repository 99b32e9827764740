"""The OpenAPI schema renders and the docs pages serve their assets from the project (no CDN)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import UserFactory

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.fixture
def staff_client(db):
    client = Client()
    client.force_login(UserFactory(role="caseworker", username="docs-reader"))
    return client


@pytest.mark.django_db
def test_the_openapi_schema_renders_with_the_case_file_endpoints(staff_client):
    response = staff_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/persons/",
        "/api/v1/families/{id}/add-member/",
        "/api/v1/documents/{id}/verify/",
        "/api/v1/status-applications/{id}/grant/",
        "/api/v1/status-applications/{id}/return/",
        "/api/v1/statuses/{id}/extend/",
        "/api/v1/regions/",
        "/api/v1/countries/",
    ]:
        assert path in paths, path
    assert "warnings" in schema["components"]["schemas"]["PersonCreated"]["properties"]


@pytest.mark.django_db
def test_the_schema_also_renders_as_yaml(staff_client):
    response = staff_client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi:" in response.content


@pytest.mark.django_db
def test_the_schema_generates_and_validates_without_errors(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out), "--validate")
    assert out.read_text().startswith("openapi:")


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_load_every_asset_from_the_project(settings, staff_client, page):
    settings.WHITENOISE_USE_FINDERS = True
    html = staff_client.get(page).content.decode()
    assert "cdn" not in html.lower()
    assets = [url for url in ASSET.findall(html) if not url.startswith(("#", "data:"))]
    assert assets, html
    for url in assets:
        assert url.startswith("/"), f"{url} is loaded from outside the project"
    # The page's own scripts and styles are served by the project itself.
    client = Client()
    client.force_login(UserFactory(role="caseworker", username="asset-reader"))
    for url in assets:
        if url.startswith("/static/"):
            response = client.get(url)
            assert response.status_code == 200, url
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert body


@pytest.mark.django_db
def test_the_docs_page_script_points_at_the_local_schema(staff_client):
    html = staff_client.get("/api/docs/").content.decode()
    assert "/api/schema/" in html
    assert "swagger-ui" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/admin/", "/admin/oralman/statusapplication/", "/admin/oralman/person/add/", "/admin/login/"],
)
def test_admin_pages_load_nothing_from_outside_the_project(url):
    client = Client()
    if "login" not in url:
        client.force_login(UserFactory(role="caseworker", username="offline-desk"))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    external = [u for u in ASSET.findall(html) if u.startswith(("http:", "https:", "//"))]
    assert external == []


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_the_schema_and_docs_need_a_signed_in_user(client, page):
    assert client.get(page).status_code in (401, 403)
