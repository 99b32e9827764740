"""The desk at phone width (390 x 844): nothing wider than the screen, and check-out reachable."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.journey(viewport=(390, 844))]

WIDTH = 390


def test_desk_on_a_phone(demo_data, journey):
    j = journey
    j.begin("the desk on a phone")
    j.login("center.uralsk", "kandas-center-2026")
    j.shot("home-phone")
    j.open("/admin/adaptation_centers/center/desk/")
    j.shot("desk-phone")
    overflow = j.page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= WIDTH, f"the desk is {overflow}px wide on a {WIDTH}px phone (see {j.shots[-1]})"
    check_out = j.page.get_by_role("link", name=re.compile("^Выселить")).first
    check_out.scroll_into_view_if_needed()
    box = check_out.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, f"check-out is off-screen: {box}"
    j.shot("check-out-in-view", full_page=False)
