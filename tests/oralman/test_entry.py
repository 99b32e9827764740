"""Entry on the desk and the API: phone numbers as people write them, Latin names spelled when left
empty, the caseworker's one region chosen already, the nationality shown in the user's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from core.translit import latin_spelling
from core.validators import normalize_phone
from oralman import services
from oralman.models import Person
from tests.factories import PersonFactory, country, region

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+7 701 123 45 67", "+77011234567"),
        ("8 (701) 123-45-67", "+77011234567"),
        ("87011234567", "+77011234567"),
        ("7011234567", "+77011234567"),
        ("+86 138-0013-8000", "+8613800138000"),
        ("00 976 9911 2233", "+97699112233"),
        ("", ""),
    ],
)
def test_a_phone_is_stored_in_e164(typed, stored):
    assert normalize_phone(typed) == stored


def test_latin_spelling_of_kazakh_and_russian_names():
    assert latin_spelling("Әбілқызы") == "Abilkyzy"
    assert latin_spelling("Нұрлан-Ұлы") == "Nurlan-Uly"
    assert latin_spelling("王") == ""  # no table for it: no suggestion


def payload(**overrides):
    return {"surname": "Серікбаев", "given_name": "Нұрлан", "birth_date": "1975-07-30", "sex": "M",
            "country_of_origin": country("MN").pk, "region": region("pavlodar").pk, **overrides}  # fmt: skip


def test_the_api_normalises_the_phone_on_create_and_patch_and_spells_latin_names(api, caseworker):
    client = api(caseworker)
    response = client.post("/api/v1/persons/", payload(phone="8 (701) 123-45-67"), format="json")
    assert response.status_code == 201, response.json()
    person = Person.objects.get(pk=response.json()["id"])
    assert person.phone == "+77011234567"
    assert (person.surname_latin, person.given_name_latin) == ("Serikbaev", "Nurlan")
    response = client.patch(f"/api/v1/persons/{person.pk}/", {"phone": "+86 138 0013 8000"}, format="json")
    assert response.status_code == 200, response.json()
    person.refresh_from_db()
    assert person.phone == "+8613800138000"
    assert client.patch(f"/api/v1/persons/{person.pk}/", {"phone": "call me"}, format="json").status_code == 400


def test_typed_latin_names_are_kept(caseworker):
    result = services.person_create(
        actor=caseworker, surname="Жумабаев", given_name="Нурлан", surname_latin="Zhumabayev", given_name_latin="",
        birth_date="1980-03-15", sex="M", country_of_origin=country("CN"), region=region("pavlodar"),
    )  # fmt: skip
    assert (result.person.surname_latin, result.person.given_name_latin) == ("Zhumabayev", "Nurlan")


def test_the_person_page_normalises_the_phone_and_fills_latin_names(client, caseworker):
    client.force_login(caseworker)
    data = {"surname": "Әбілқызы", "given_name": "Жанар", "birth_date": "14.05.1988", "sex": "F",
            "country_of_origin": country("CN").pk, "citizenship": country("CN").pk, "region": region("pavlodar").pk,
            "ethnicity": "қазақ", "preferred_language": "kk", "phone": "8 701 123-45-67",
            "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0"}  # fmt: skip
    response = client.post("/admin/oralman/person/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = Person.objects.get()
    assert person.phone == "+77011234567"
    assert (person.surname_latin, person.given_name_latin) == ("Abilkyzy", "Zhanar")
    assert person.ethnicity == "kazakh"


@pytest.mark.parametrize(("language", "word"), [("ru", "казах"), ("kk", "қазақ")])
def test_the_person_page_shows_the_nationality_in_the_users_language_and_suggests_latin(
    client, caseworker, language, word
):
    person = PersonFactory(surname="Серікбаев", surname_latin="")
    client.force_login(caseworker)
    with translation.override(language):
        client.cookies["django_language"] = language
        page = client.get(f"/admin/oralman/person/{person.pk}/change/")
        form = page.context["adminform"].form
        assert form["ethnicity"].value() == word
        assert form.fields["surname_latin"].widget.attrs["placeholder"] == "Serikbaev"
        assert 'value="kazakh"' not in page.content.decode()


def test_a_caseworkers_one_region_is_chosen_already(client, caseworker):
    client.force_login(caseworker)
    form = client.get("/admin/oralman/person/add/").context["adminform"].form
    assert form["region"].value() == caseworker.region_id
    assert form.fields["region"].empty_label is None


@pytest.mark.parametrize(("language", "word"), [("ru", "казах"), ("kk", "қазақ")])
def test_a_new_persons_nationality_defaults_to_kazakh_in_the_users_language(client, caseworker, language, word):
    client.force_login(caseworker)
    client.cookies["django_language"] = language
    form = client.get("/admin/oralman/person/add/").context["adminform"].form
    assert form["ethnicity"].value() == word


def test_an_iin_warning_is_shown_once_after_a_save_with_the_date_as_typed(client, caseworker):
    import datetime

    from core.iin import make_iin

    person = PersonFactory(birth_date=datetime.date(1969, 4, 19))
    person.iin = make_iin(person.birth_date, "M", 17)
    person.save()
    url = f"/admin/oralman/person/{person.pk}/change/"
    client.force_login(caseworker)
    from tests.admin_forms import change_form_data

    data = change_form_data(client.get(url)) | {"birth_date": "05.05.1980", "_continue": "1"}
    response = client.post(url, data, follow=True)
    texts = [str(m) for m in response.context["messages"]]
    warnings = [t for t in texts if "19.04.1969" in t]
    assert len(warnings) == 1 and "05.05.1980" in warnings[0], texts
