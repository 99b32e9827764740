"""The printed verification link and QR code, the page to type a code, the language switch, the
rate limit, and a certificate printed after its status ended (issue 13)."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys

import pypdf
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.models import IssuedDocument
from oralman.services import status_terminate
from tests.factories import KandasStatusFactory, PersonFactory

Kind = IssuedDocument.Kind


@pytest.fixture
def status(db):
    person = PersonFactory(surname="Жақсыбеков", given_name="Нұрлан", patronymic="Әбілұлы")
    return KandasStatusFactory(person=person, certificate_number="KND-PAVLOD-2026-000042")


def _issue(status, language="ru"):
    return services.document_issue(kind=Kind.KANDAS_CERTIFICATE, subject=status, language=language, actor=None)


def _pdf_text(issued) -> str:
    reader = pypdf.PdfReader(io.BytesIO(services.render_pdf(issued)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# --- The public address -------------------------------------------------------------------------


def test_the_printed_link_and_qr_code_use_the_public_base_url(status, settings):
    settings.KANDAS_PUBLIC_BASE_URL = "https://kandas.example.kz/"
    issued = _issue(status)
    url = f"https://kandas.example.kz/verify/{issued.code}/?lang=ru"
    assert services.verification_url(issued) == url
    html = services.render_html(issued)
    assert url in html and "127.0.0.1" not in html
    assert f'src="{services.qr_data_uri(url)}"' in html  # the QR code encodes exactly that link
    assert url in _pdf_text(issued).replace(" ", "")  # the PDF wraps the long link


def test_a_kazakh_certificate_prints_a_link_that_opens_the_page_in_kazakh(client, status, settings):
    settings.KANDAS_PUBLIC_BASE_URL = "https://kandas.example.kz"
    issued = _issue(status, "kk")
    url = f"https://kandas.example.kz/verify/{issued.code}/?lang=kk"
    assert services.verification_url(issued) == url
    assert f'src="{services.qr_data_uri(url)}"' in services.render_html(issued)  # the QR code carries it too
    body = client.get(url.removeprefix("https://kandas.example.kz")).content.decode()
    assert '<html lang="kk"' in body and "Құжатты тексеру" in body


def test_the_demo_prints_the_local_runserver_address(status, settings):
    settings.KANDAS_PUBLIC_BASE_URL, settings.ALLOWED_HOSTS = "", ["127.0.0.1", "localhost"]
    assert services.verification_url(_issue(status)).startswith("http://127.0.0.1:8000/verify/")


@pytest.mark.parametrize(
    ("value", "message"), [(None, "KANDAS_PUBLIC_BASE_URL"), ("http://127.0.0.1:8000", "https://")]
)
def test_production_refuses_to_start_without_the_public_https_address(value, message):
    env = {k: v for k, v in os.environ.items() if k != "KANDAS_PUBLIC_BASE_URL"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "KANDAS_ENV_FILE": "/nonexistent",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "kandas.example.kz",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    if value:
        env["KANDAS_PUBLIC_BASE_URL"] = value
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode != 0
    assert message in run.stderr


# --- A certificate printed after its status ended ------------------------------------------------


@pytest.mark.parametrize(
    ("language", "stamp", "reason"),
    [("ru", "НЕДЕЙСТВИТЕЛЬНО", "приобретено гражданство"), ("kk", "ЖАРАМСЫЗ", "азаматтық алынды")],
)
def test_a_certificate_of_a_terminated_status_prints_as_not_valid(status, caseworker, language, stamp, reason):
    status_terminate(status=status, actor=caseworker, reason="citizenship")
    status.refresh_from_db()
    text = _pdf_text(_issue(status, language))
    assert stamp in text
    assert timezone.localdate().strftime("%d.%m.%Y") in text
    assert reason in text.lower()


@pytest.mark.parametrize(("language", "stamp"), [("ru", "НЕДЕЙСТВИТЕЛЬНО"), ("kk", "ЖАРАМСЫЗ")])
def test_a_certificate_of_an_expired_status_prints_as_not_valid(db, language, stamp):
    old = KandasStatusFactory(
        issued_on=timezone.localdate() - datetime.timedelta(days=500),
        valid_until=timezone.localdate() - datetime.timedelta(days=136),
    )
    text = _pdf_text(_issue(old, language))
    assert stamp in text and old.valid_until.strftime("%d.%m.%Y") in text


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_not_valid_stamp_keeps_the_certificate_on_one_page(status, caseworker, language):
    status_terminate(status=status, actor=caseworker, reason="departure")
    status.refresh_from_db()
    assert len(pypdf.PdfReader(io.BytesIO(services.render_pdf(_issue(status, language)))).pages) == 1


@pytest.mark.parametrize(("language", "stamp"), [("ru", "НЕДЕЙСТВИТЕЛЬНО"), ("kk", "ЖАРАМСЫЗ")])
def test_a_valid_certificate_prints_clean(status, language, stamp):
    assert stamp not in _pdf_text(_issue(status, language))


def test_the_verification_page_of_a_terminated_certificate_says_not_valid(client, status, caseworker):
    issued = _issue(status)
    status_terminate(status=status, actor=caseworker, reason="death")
    body = client.get(reverse("documents:verify", args=[issued.code])).content.decode()
    assert 'data-state="invalid"' in body and "БОЛЬШЕ НЕ действителен" in body


@pytest.mark.parametrize(
    ("lang", "words"),
    [("ru", "ЕЩЁ НЕ действителен"), ("kk", "ӘЛІ жарамсыз"), ("en", "NOT valid yet")],
)
def test_the_verification_page_of_a_status_starting_later_says_not_valid_yet(client, status, lang, words):
    """A genuine certificate whose status begins tomorrow is "not valid yet", never "no longer valid"."""
    status.issued_on = timezone.localdate() + datetime.timedelta(days=1)
    status.valid_until = status.issued_on + datetime.timedelta(days=365)
    status.save(update_fields=["issued_on", "valid_until"])
    issued = _issue(status)
    assert services.verification_for(issued.code).not_yet_valid
    body = client.get(reverse("documents:verify", args=[issued.code]), {"lang": lang}).content.decode()
    assert 'data-state="not_yet_valid"' in body and words in body
    assert "БОЛЬШЕ НЕ" not in body and "ЕНДІ жарамсыз" not in body and "any more" not in body


# --- Typing a code, the language switch, the rate limit -------------------------------------------


def test_the_code_page_opens_the_verification_of_a_typed_code(client, status):
    issued = _issue(status)
    assert "XXXX-XXXX-XXXX-XXXX" in client.get(reverse("documents:enter")).content.decode()
    typed = issued.code.lower().replace("-", " ")
    response = client.get(reverse("documents:enter"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:verify", args=[issued.code])
    assert 'data-state="valid"' in client.get(response["Location"]).content.decode()


def test_the_code_page_asks_again_for_a_malformed_code_and_reveals_nothing(client, status):
    response = client.get(reverse("documents:enter"), {"code": "12345"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="unreadable"' in body and "Жақсыбеков" not in body and "Ж. Н. Ә." not in body


def test_an_unknown_typed_code_ends_on_the_same_not_found_answer(client, status):
    response = client.get(reverse("documents:enter"), {"code": "ABCD-EFGH-JKLM-NPQR"}, follow=True)
    assert response.status_code == 404
    assert 'data-state="not_found"' in response.content.decode()


@pytest.mark.parametrize(
    ("lang", "words"),
    [("kk", "Құжатты тексеру"), ("en", "Document verification"), ("ru", "Проверка документа")],
)
def test_the_verification_page_switches_language(client, status, lang, words):
    issued = _issue(status)
    response = client.get(reverse("documents:verify", args=[issued.code]), {"lang": lang})
    body = response.content.decode()
    assert f'<html lang="{lang}"' in body and words in body
    kind = {"kk": "қандас куәлігі", "en": "kandas certificate", "ru": "удостоверение кандаса"}[lang]
    assert kind in body.lower()
    assert response.cookies["django_language"].value == lang
    for other in {"ru", "kk", "en"} - {lang}:
        assert f'href="?lang={other}"' in body


def test_the_public_pages_are_rate_limited_per_address(client, status, settings):
    settings.KANDAS_VERIFY_RATE_PER_MINUTE = 3
    cache.clear()
    issued = _issue(status)
    url = reverse("documents:verify", args=[issued.code])
    answers = [client.get(url, REMOTE_ADDR="203.0.113.7").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = client.get(reverse("documents:enter"), {"code": issued.code}, REMOTE_ADDR="203.0.113.7")
    assert limited.status_code == 429 and "Ж. Н. Ә." not in limited.content.decode()
    assert client.get(url, REMOTE_ADDR="203.0.113.8").status_code == 200  # another address is not held up
    cache.clear()
