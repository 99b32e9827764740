"""The desk in a real browser (Debian's Chromium through Playwright) on a phone: no horizontal
scroll at 390×844, the check-out button on screen, and check-out → undo by tapping."""

import pytest
from django.urls import reverse

from adaptation_centers.models import Placement
from tests.adaptation_centers.factories import family_of, refer, referred_check_in
from tests.factories import PersonFactory
from tests.journeys.browser import logged_in_context

# Like the journeys (tests/journeys): a missing Chromium fails with how to install it, never skips.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def phone(live_server, client, clerk, monkeypatch):
    """A Chromium page at 390×844 logged in as the center's clerk."""
    with logged_in_context(
        live_server, client, clerk, monkeypatch, viewport={"width": 390, "height": 844}, locale="ru-RU"
    ) as context:
        yield context.new_page()


def _scroll_width(page) -> tuple[int, int]:
    return page.evaluate("document.documentElement.scrollWidth"), page.evaluate("window.innerWidth")


def test_the_desk_fits_a_phone_and_checks_out_and_undoes_by_tapping(phone, live_server, center, clerk):
    family = family_of(4, surname="Сарсенбаевакызы-Нурмухамедова")
    placement = referred_check_in(center=center, family=family, actor=clerk)
    refer(center, person=PersonFactory(surname="Жаксыбековтурсынбаев"))
    desk = live_server.url + reverse("admin:adaptation_centers_center_desk", args=[center.pk])

    phone.goto(desk)
    width, viewport = _scroll_width(phone)
    assert width <= viewport == 390
    button = phone.locator("#staying a.button").first
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390

    button.click()
    assert _scroll_width(phone)[0] <= 390
    assert phone.locator("#id_reason").input_value() == ""  # no reason preselected
    phone.select_option("#id_reason", "housing")
    phone.click("#check-out-form input[type=submit]")
    phone.wait_for_selector("#undo-check-outs")
    assert _scroll_width(phone)[0] <= 390
    placement.refresh_from_db()
    assert placement.checked_out_on is not None

    phone.click("#undo-check-outs input[type=submit]")
    phone.wait_for_selector(".messagelist .success")
    placement.refresh_from_db()
    assert placement.checked_out_on is None
    assert Placement.objects.filter(pk=placement.pk, checked_out_at__isnull=True).exists()
