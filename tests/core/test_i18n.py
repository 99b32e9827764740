"""Languages: Russian by default, Kazakh and English on request; the catalogues are complete."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from oralman.models import ApplicationState
from tests.factories import StatusApplicationFactory

CATALOGUES = [Path(settings.BASE_DIR) / p for p in ("locale", "core/locale", "oralman/locale", "audit/locale")]
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sd]")


def _po_files(lang: str) -> list[Path]:
    return [base / lang / "LC_MESSAGES" / "django.po" for base in CATALOGUES]


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    for path in _po_files(lang):
        po = polib.pofile(str(path))
        assert len(po) > 0, path
        assert not po.metadata_is_fuzzy, path
        untranslated = [e.msgid for e in po.untranslated_entries()]
        fuzzy = [e.msgid for e in po.fuzzy_entries()]
        assert untranslated == [] and fuzzy == [], (path, untranslated, fuzzy)


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_translations_keep_every_placeholder(lang):
    for path in _po_files(lang):
        for entry in polib.pofile(str(path)):
            assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(PLACEHOLDER.findall(entry.msgstr)), entry.msgid


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_the_compiled_catalogues_match_their_sources(lang):
    for path in _po_files(lang):
        mo_path = path.with_suffix(".mo")
        assert mo_path.exists(), f"{mo_path} is missing: run msgfmt"
        compiled = {e.msgid: e.msgstr for e in polib.mofile(str(mo_path))}
        source = {e.msgid: e.msgstr for e in polib.pofile(str(path)).translated_entries()}
        assert compiled.items() >= source.items(), f"{mo_path} is stale: run msgfmt again"


def test_the_kazakh_ui_uses_kandas_and_the_russian_ui_kandas_oralman():
    ru = {e.msgid: e.msgstr for e in polib.pofile(str(_po_files("ru")[2]))}
    kk = {e.msgid: e.msgstr for e in polib.pofile(str(_po_files("kk")[2]))}
    assert ru["kandas status"] == "статус кандаса (оралмана)"
    assert kk["kandas status"] == "қандас мәртебесі"
    assert all("оралман" not in text for text in kk.values())


@pytest.mark.django_db
def test_the_admin_speaks_russian_by_default(client, caseworker):
    client.force_login(caseworker)
    html = client.get(reverse("admin:index")).content.decode()
    assert '<html lang="ru"' in html
    assert "Учёт дел кандасов (оралманов)" in html
    assert "Заявления на статус" in html
    # The stock index (every section) stays at /admin/apps/; /admin/ is the role's home (core.home).
    assert "Администрирование сайта" in client.get(reverse("app_list")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "title", "model"),
    [
        ("kk", "Қандастардың істерін есепке алу", "Мәртебе алуға өтініштер"),
        ("en", "Kandas case management", "Status applications"),
        ("ru", "Учёт дел кандасов (оралманов)", "Заявления на статус"),
    ],
)
def test_switching_the_language_changes_the_admin(client, caseworker, lang, title, model):
    client.force_login(caseworker)
    response = client.post(reverse("set_language"), {"language": lang, "next": reverse("admin:index")})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == lang
    html = client.get(reverse("admin:index")).content.decode()
    assert f'<html lang="{lang}"' in html
    assert title in html and model in html


@pytest.mark.django_db
def test_the_admin_offers_the_language_switch(client, caseworker):
    client.force_login(caseworker)
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("set_language") in html
    for code in ("ru", "kk", "en"):
        assert f'<option value="{code}"' in html


@pytest.mark.django_db
def test_the_state_labels_follow_the_chosen_language(client, caseworker):
    application = StatusApplicationFactory()
    client.force_login(caseworker)
    url = reverse("admin:oralman_statusapplication_change", args=[application.pk])
    assert "черновик" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "kk", "next": url})
    html = client.get(url).content.decode()
    assert "жоба" in html and "Тапсыру" in html  # the state and the 'Submit' button


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ru", "Заявление в состоянии «черновик» не может перейти в состояние «статус присвоен»."),
        ("kk", "«жоба» күйіндегі өтініш «мәртебе берілді» күйіне өте алмайды."),
        ("en", "An application that is draft cannot become granted."),
    ],
)
def test_api_errors_come_in_the_requested_language(api, caseworker, lang, expected):
    application = StatusApplicationFactory(state=ApplicationState.DRAFT)
    client = api(caseworker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.post(f"/api/v1/status-applications/{application.pk}/grant/")
    assert response.status_code == 400
    assert response.json() == {"state": [expected]}


@pytest.mark.django_db
def test_api_errors_default_to_russian(api, caseworker):
    response = api(caseworker).post("/api/v1/persons/", {"iin": "900101300005"}, format="json")
    assert response.status_code == 400
    assert response.json()["iin"] == ["Неверная контрольная цифра ИИН."]
