"""Dates are typed as 22.07.1983 in every language and shown as 30.11.2026 / 30.11.2026 16:04 in
Russian and Kazakh (Django has no Kazakh formats and showed "Қар. 30, 2026, 4:04 Т.Қ.")."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django import forms
from django.utils import formats, translation

from oralman.models import Person
from tests.factories import PersonFactory

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
@pytest.mark.parametrize("typed", ["22.07.1983", "1983-07-22"])
def test_a_date_is_read_from_dd_mm_yyyy_and_iso_in_every_language(language, typed):
    with translation.override(language):
        assert forms.DateField().clean(typed) == datetime.date(1983, 7, 22)


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_dates_and_times_are_shown_as_numbers_in_russian_and_kazakh(language):
    moment = datetime.datetime(2026, 11, 30, 16, 4, tzinfo=ALMATY)
    with translation.override(language):
        assert formats.date_format(moment.date()) == "30.11.2026"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "30.11.2026 16:04"
        assert formats.localize(moment.date()) == "30.11.2026"
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%d.%m.%Y"  # what the calendar widget writes


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_person_page_takes_and_shows_dd_mm_yyyy(client, caseworker, language):
    person = PersonFactory(birth_date=datetime.date(1983, 7, 22))
    client.force_login(caseworker)
    client.cookies["django_language"] = language
    url = f"/admin/oralman/person/{person.pk}/change/"
    page = client.get(url)
    assert 'value="22.07.1983"' in page.content.decode()
    from tests.admin_forms import change_form_data

    data = change_form_data(page) | {"birth_date": "23.07.1983"}
    assert client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.birth_date == datetime.date(1983, 7, 23)
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_the_api_takes_dd_mm_yyyy_and_answers_iso(api, caseworker):
    from tests.factories import country, region

    payload = {"surname": "Серікбаев", "given_name": "Нұрлан", "birth_date": "22.07.1983", "sex": "M",
               "country_of_origin": country("MN").pk, "region": region("pavlodar").pk}  # fmt: skip
    response = api(caseworker).post("/api/v1/persons/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["birth_date"] == "1983-07-22"


@pytest.mark.django_db
def test_the_admin_calendar_names_months_in_kazakh(client, caseworker):
    client.force_login(caseworker)
    client.cookies["django_language"] = "kk"
    catalog = client.get("/admin/jsi18n/").content.decode()
    assert "\\u049a\\u0430\\u0440\\u0430\\u0448\\u0430" in catalog or "Қараша" in catalog
