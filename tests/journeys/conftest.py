"""Fixtures of the browser journeys: a live server on the real stack, Debian's Chromium, demo data.

The live server is pytest-django's (a thread of this process on the test PostgreSQL database);
Celery tasks run as the test settings run them (eagerly, after the commit); private files are
written to PRIVATE_MEDIA_ROOT as in production. The tests are transactional (the server thread must
see committed rows) with a serialized rollback, so the reference data survives them."""

from __future__ import annotations

import contextlib
import os

import pytest

from tests.journeys.browser import CHROMIUM, Journey, require_chromium


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def demo_data(transactional_db, settings):
    """The demo data set, small (with 10 families some referrals stay open for the desk): the demo users of each role, a center with its desk, quota
    years and requests, status holders and citizenship cases."""
    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        call_command("load_demo", families=10, stdout=quiet)


@pytest.fixture
def journey(request, live_server, settings, monkeypatch):
    """A fresh Chromium page for one journey, wrapped in a counting `Journey`."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    settings.KANDAS_PUBLIC_BASE_URL = live_server.url  # the link printed on the PDFs must open here
    # Playwright's sync API keeps an asyncio loop running in this thread; the ORM calls the test
    # makes meanwhile (fixtures, assertions) are synchronous and safe. Only for this test:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    options = request.node.get_closest_marker("journey")
    options = options.kwargs if options else {}
    language = options.get("language", "ru")
    width, height = options.get("viewport", (1366, 900))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--lang=ru"])
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale="ru-RU",
            timezone_id="Asia/Almaty",
            accept_downloads=True,
            is_mobile=width < 600,
            has_touch=width < 600,
        )
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        trip = Journey(page, name=request.node.name, base_url=live_server.url)
        try:
            yield trip
        finally:
            failed = getattr(request.node, "rep_call", None)
            if failed is not None and failed.failed:
                with contextlib.suppress(Exception):  # the page may be gone
                    trip.shot("failure")
            counts = trip.write_counts()
            print(f"\n{trip.name}: {len(trip.shots)} screenshots in {trip.folder}; counts in {counts}")
            context.close()
            browser.close()
