"""Junk in any URL answers 400 or 404, never 500: non-numeric, negative and huge ids (> 2**63),
NUL bytes, out-of-range numbers in filters and report parameters. The URLs are generated from the
URL configuration (admin registry, API router, custom admin views, /verify/, /files/), so a new
endpoint is covered without being listed here."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

JUNK_IDS = ["abc", "-1", "9223372036854775808", "1e5", "1%00", "%2500"]
# Valid-looking values for the other parameters of a route, so the junk reaches the view.
PLAUSIBLE = {
    "language": "ru",
    "name": "submit",
    "slug": "quota-use",
    "model": "oralman.document",
    "field": "file",
    "code": "ABCD-EFGH-IJKL-MNOP",
    "app_label": "oralman",
}
SKIP_PREFIXES = ("/static/", "/i18n/", "/api/schema", "/api/docs", "/api/redoc")


def _routes(patterns=None, prefix: str = "") -> list[tuple[str, list[str]]]:
    """(route template with {name} placeholders, parameter names) for every URL pattern."""
    routes = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = _template(entry.pattern)
        if route is None:
            continue
        if isinstance(entry, URLResolver):
            routes += _routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            full = "/" + prefix + route
            routes.append((full, re.findall(r"\{(\w+)\}", full)))
    return sorted({(r, tuple(p)) for r, p in routes})


def _template(pattern) -> str | None:
    text = str(pattern)
    if hasattr(pattern, "_route"):  # path(): <conv:name>
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    # re_path() (the API router): named groups become placeholders; format suffixes are skipped.
    if "format" in pattern.regex.groupindex:
        return None
    text = text.lstrip("^").rstrip("$")
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    text = text.replace("\\.", ".").replace("/?", "/")
    if any(ch in text for ch in "()[]*+?|\\"):
        return None
    return text


ROUTES = [r for r in _routes() if not r[0].startswith(SKIP_PREFIXES)]
ID_ROUTES = [(route, params) for route, params in ROUTES if params]


def _urls_with_junk(route: str, params: tuple[str, ...]) -> list[str]:
    urls = []
    for junk_param in params:
        if junk_param in PLAUSIBLE and junk_param not in ("code", "slug", "model", "field", "name", "language"):
            continue
        for junk in JUNK_IDS:
            values = {p: PLAUSIBLE.get(p, "1") for p in params}
            values[junk_param] = junk
            urls.append(route.format(**values))
    return urls


def test_the_generator_finds_the_admin_the_api_and_the_custom_views():
    routes = [r for r, _ in ROUTES]
    for expected in [
        "/admin/oralman/person/{object_id}/change/",
        "/admin/oralman/statusapplication/{object_id}/transition/{name}/",
        "/admin/adaptation_centers/center/{object_id}/desk/",
        "/admin/documents/issueddocument/certificate/{pk}/{language}/",
        "/api/v1/persons/{pk}/",
        "/api/v1/families/{pk}/add-member/",
        "/api/v1/report-exports/{pk}/",
        "/verify/{code}/",
        "/files/{model}/{pk}/{field}/",
    ]:
        assert expected in routes, expected
    assert len(ID_ROUTES) > 100


@pytest.fixture
def as_admin(administrator):
    client = APIClient(raise_request_exception=False)
    client.force_login(administrator)
    return client


@pytest.fixture
def as_caseworker(caseworker):
    client = APIClient(raise_request_exception=False)
    client.force_login(caseworker)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "params"), ID_ROUTES, ids=[r for r, _ in ID_ROUTES])
def test_junk_ids_answer_400_or_404_never_500(as_admin, as_caseworker, route, params):
    failures = []
    for url in _urls_with_junk(route, params):
        for who, client, method in (
            ("admin", as_admin, "get"),
            ("admin", as_admin, "post"),
            ("caseworker", as_caseworker, "get"),
        ):
            response = getattr(client, method)(url)
            if response.status_code >= 500:
                failures.append((who, method, url, response.status_code))
    assert failures == []


LIST_ROUTES = [route for route, params in ROUTES if not params]
QUERY_JUNK = [
    "q=%00",
    "p=99999999999999999999",
    "page=99999999999999999999",
    "page=-1",
    "o=99",
    "id__gt=99999999999999999999",
    "region__id__exact=99999999999999999999",
    "region__id__exact=abc",
    "limit=99999999999999999999&offset=99999999999999999999",
    "ordering=nosuchfield",
    "year=99999999999999999999&quota_year=-99999999999999999999",
    "date_from=99999-99-99&date_to=0000-00-00",
]
# Foreign keys named in a filter or as an add form's initial value (?person=12 in the admin).
RELATED = ["person", "applicant", "family", "application", "center", "region", "course", "quota_year", "status"]
QUERY_JUNK += ["&".join(f"{name}={value}" for name in RELATED) for value in ("abc", "99999999999999999999", "-1")]


@pytest.mark.django_db
@pytest.mark.parametrize("route", LIST_ROUTES)
def test_junk_query_parameters_answer_400_or_404_never_500(as_admin, as_caseworker, route):
    failures = []
    # An add form only reads initial values of its fields: the related-id junk is what reaches it.
    add_form = route.endswith("/add/")
    queries = QUERY_JUNK[-3:] if add_form else QUERY_JUNK
    clients = (("admin", as_admin),) if add_form else (("admin", as_admin), ("caseworker", as_caseworker))
    for query in queries:
        for who, client in clients:
            response = client.get(f"{route}?{query}")
            if response.status_code >= 500:
                failures.append((who, f"{route}?{query}", response.status_code))
    assert failures == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/oralman/person/%00/change/", "/api/v1/persons/?search=a%00b", "/verify/%00/"])
def test_a_nul_byte_in_the_path_or_query_is_a_400(as_admin, client, url):
    assert as_admin.get(url).status_code == 400
    assert client.get(url).status_code == 400


def _report_slugs():
    from core.reports import REPORTS

    return sorted(REPORTS)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", _report_slugs())
def test_junk_report_parameters_answer_400_never_500(as_admin, slug):
    from core.reports import REPORTS

    failures = []
    for name in REPORTS[slug].params_form().fields:
        for value in ("abc", "99999999999999999999", "-99999999999999999999", "1e400"):
            for url in (f"/api/v1/reports/{slug}/?{name}={value}", f"/admin/reports/{slug}/?{name}={value}&format=csv"):
                status = as_admin.get(url).status_code
                if status >= 500:
                    failures.append((url, status))
    assert failures == []
