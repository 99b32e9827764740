"""The case pages fit a 1366 px laptop screen beside the admin's side menu, in Russian and in
Kazakh: the person (with a full file of documents in the ten-column inline), the family, the
status application and the citizenship application scroll down, never sideways (issue 13)."""

import pytest
from django.urls import reverse

from oralman.models import FamilyMember
from tests.citizenship.factories import application as citizenship_application
from tests.citizenship.factories import kandas
from tests.factories import FamilyFactory, PersonFactory, StatusApplicationFactory, file_required_documents
from tests.journeys.browser import logged_in_context

WIDTH = 1366
# Like the journeys: a missing Chromium fails with how to install it, never skips.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def laptop(live_server, client, caseworker, monkeypatch):
    """A Chromium context at 1366×900 logged in as the region's caseworker."""
    with logged_in_context(
        live_server, client, caseworker, monkeypatch,
        viewport={"width": WIDTH, "height": 900}, timezone_id="Asia/Almaty",
    ) as context:  # fmt: skip
        yield context


def test_the_case_change_pages_fit_1366_px_in_russian_and_kazakh(laptop, live_server, caseworker):
    person, _status = kandas(surname="Сарсенбаевакызы-Нурмухамедова", given_name="Айгерімгүлзада")
    file_required_documents(person)
    file_required_documents(person)  # a long file: every required document twice
    family = FamilyFactory(head=person)
    for _ in range(3):
        FamilyMember.objects.create(family=family, person=PersonFactory(), relationship="child")
    status_application = StatusApplicationFactory(applicant=person, family=family, state="submitted")
    citizenship = citizenship_application(person=person)
    pages = {
        "person": reverse("admin:oralman_person_change", args=[person.pk]),
        "family": reverse("admin:oralman_family_change", args=[family.pk]),
        "status application": reverse("admin:oralman_statusapplication_change", args=[status_application.pk]),
        "citizenship application": reverse("admin:citizenship_citizenshipapplication_change", args=[citizenship.pk]),
    }
    page = laptop.new_page()
    for language in ("ru", "kk"):
        laptop.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for name, path in pages.items():
            response = page.goto(live_server.url + path)
            assert response.status == 200, (language, name, response.status)
            assert page.locator("#content h1").count() == 1
            if name == "person":
                assert page.locator("#documents-group tbody tr.has_original").count() >= 10
                box = page.evaluate(
                    "(b => [b.scrollWidth, b.clientWidth])(document.querySelector('#documents-group div.tabular'))"
                )
                assert box[0] <= box[1], f"the documents table needs {box[0]}px in a {box[1]}px box ({language})"
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= WIDTH, f"the {name} page is {width}px wide in {language} at {WIDTH}px"
