"""403, 404, 500 and the CSRF failure answer a translated page in the admin's look with a link home,
never Django's bare English "403 Forbidden"."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

PAGES = {
    "ru": {"403": "Доступ запрещён", "404": "Страница не найдена", "csrf": "Форма устарела", "500": "Ошибка сервера"},
    "kk": {
        "403": "Кіруге тыйым салынған",
        "404": "Бет табылмады",
        "csrf": "Пішіннің мерзімі өтті",
        "500": "Сервер қатесі",
    },
    "en": {"403": "Access denied", "404": "Page not found", "csrf": "The form has expired", "500": "Server error"},
}
HOME = {"ru": "На главную страницу", "kk": "Басты бетке өту", "en": "Go to the home page"}


def _page(response, lang: str, key: str) -> str:
    html = response.content.decode()
    assert PAGES[lang][key] in html
    assert HOME[lang] in html and 'href="/"' in html
    assert "admin/css/base.css" in html
    assert "Forbidden" not in html
    return html


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_a_forbidden_admin_page_answers_the_translated_403(client, caseworker, lang):
    client.force_login(caseworker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(reverse("admin:core_user_changelist"))
    assert response.status_code == 403
    html = _page(response, lang, "403")
    assert f'<html lang="{lang}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_an_unknown_page_answers_the_translated_404(client, caseworker, lang):
    client.force_login(caseworker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _page(response, lang, "404")


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_a_form_without_its_csrf_token_answers_the_translated_csrf_page(caseworker, lang):
    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.post(reverse("set_language"), {"language": "en"})
    assert response.status_code == 403
    _page(response, lang, "csrf")


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_a_server_error_answers_the_translated_500(rf, lang):
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override(lang):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    _page(response, lang, "500")
