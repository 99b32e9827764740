"""Persons: IIN checks and warnings, duplicate flags across scripts, one family at a time."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.errors import DomainError
from core.iin import make_iin
from oralman import services
from oralman.models import DuplicateFlag, FamilyMember, Person
from tests.factories import FamilyFactory, PersonFactory, country, region

D = datetime.date


def person_fields(**overrides) -> dict:
    fields = {
        "surname": "Әбілқызы",
        "given_name": "Жанар",
        "surname_latin": "Abilkyzy",
        "given_name_latin": "Zhanar",
        "birth_date": D(1988, 5, 14),
        "sex": "F",
        "country_of_origin": country("CN"),
        "citizenship": country("CN"),
        "passport_number": "E77001234",
        "region": region("pavlodar"),
    }
    fields.update(overrides)
    return fields


# --- IIN -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_matching_iin_gives_no_warning(caseworker):
    iin = make_iin(D(1988, 5, 14), "F", 1234)
    result = services.person_create(actor=caseworker, **person_fields(iin=iin))
    assert result.person.iin == iin
    assert result.warnings == []


@pytest.mark.django_db
def test_an_iin_encoding_another_birth_date_or_sex_is_accepted_with_warnings(caseworker):
    iin = make_iin(D(1987, 5, 14), "M", 1234)
    result = services.person_create(actor=caseworker, **person_fields(iin=iin))
    assert Person.objects.filter(pk=result.person.pk, iin=iin).exists()
    assert len(result.warnings) == 2
    assert "14.05.1987" in result.warnings[0] and "14.05.1988" in result.warnings[0]  # dates as shown in Russian


@pytest.mark.django_db
def test_the_api_answers_the_iin_mismatch_warning_with_the_created_person(api, caseworker):
    payload = person_fields(iin=make_iin(D(1987, 5, 14), "F", 77))
    payload.update(
        birth_date="1988-05-14", country_of_origin=payload["country_of_origin"].pk, region=payload["region"].pk
    )
    payload.pop("citizenship")
    response = api(caseworker).post("/api/v1/persons/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["warnings"]) == 1
    assert "14.05.1987" in body["warnings"][0]
    assert body["possible_duplicates"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("iin", "code"),
    [("900101300005", "iin_check"), ("900230300005", "iin_date"), ("90010130000", "iin_format")],
)
def test_an_invalid_iin_is_rejected_by_the_service(caseworker, iin, code):
    with pytest.raises(DomainError) as exc:
        services.person_create(actor=caseworker, **person_fields(iin=iin))
    assert exc.value.field == "iin"
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_the_model_validates_the_iin_on_full_clean():
    person = PersonFactory.build(iin="900101300005")
    with pytest.raises(ValidationError) as exc:
        person.full_clean(exclude=["name_key", "latin_key"])
    assert "iin" in exc.value.message_dict


@pytest.mark.django_db
def test_the_same_iin_is_refused_with_a_message_naming_the_holder(caseworker):
    iin = make_iin(D(1988, 5, 14), "F", 4321)
    holder = PersonFactory(iin=iin, surname="Серікбаева", given_name="Айгүл")
    with pytest.raises(DomainError) as exc:
        services.person_create(actor=caseworker, **person_fields(iin=iin))
    message = str(exc.value.message)
    assert iin in message
    assert "Серікбаева Айгүл" in message
    assert str(holder.pk) in message
    assert (exc.value.field, exc.value.code) == ("iin", "duplicate")
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_the_api_refuses_the_same_iin_with_a_field_error(api, caseworker):
    iin = make_iin(D(1988, 5, 14), "F", 4321)
    PersonFactory(iin=iin)
    payload = person_fields(iin=iin, birth_date="1988-05-14")
    payload.update(country_of_origin=payload["country_of_origin"].pk, region=payload["region"].pk)
    payload.pop("citizenship")
    response = api(caseworker).post("/api/v1/persons/", payload, format="json")
    assert response.status_code == 400
    assert iin in response.json()["iin"][0]


@pytest.mark.django_db
def test_the_database_refuses_a_second_person_with_the_same_iin():
    iin = make_iin(D(1988, 5, 14), "F", 4321)
    PersonFactory(iin=iin)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(iin=iin)


@pytest.mark.django_db
def test_a_birth_date_in_the_future_is_refused(caseworker):
    with pytest.raises(DomainError) as exc:
        services.person_create(actor=caseworker, **person_fields(birth_date=D(2999, 1, 1)))
    assert exc.value.field == "birth_date"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"), [("surname", "Abilkyzy"), ("surname_latin", "Әбілқызы"), ("phone", "12ab")]
)
def test_names_must_be_in_their_script_and_phones_digits(caseworker, field, value):
    with pytest.raises(DomainError) as exc:
        services.person_create(actor=caseworker, **person_fields(**{field: value}))
    assert exc.value.field == field


# --- Duplicates ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_passport_is_flagged_but_the_person_is_created(caseworker):
    existing = PersonFactory(passport_number="E77001234")
    result = services.person_create(actor=caseworker, **person_fields(passport_number="E77001234"))
    assert [(f.other, f.reason) for f in result.duplicates] == [(existing, DuplicateFlag.Reason.PASSPORT)]
    assert DuplicateFlag.objects.filter(person=result.person, other=existing, reason="passport").exists()


@pytest.mark.django_db
def test_a_cyrillic_name_matches_its_latin_spelling_with_the_same_birth_date(caseworker):
    # The first record was typed from a Kazakh document; its Latin form came from a Chinese passport.
    existing = PersonFactory(
        surname="Әбілқызы",
        given_name="Жанар",
        surname_latin="Abeilekezi",
        given_name_latin="Jianaer",
        birth_date=D(1988, 5, 14),
        passport_number="G11122233",
    )
    # The second was typed from an Uzbek passport; its Cyrillic is a Russian spelling.
    result = services.person_create(
        actor=caseworker,
        **person_fields(surname="Абильказы", given_name="Жанара", surname_latin="Abilkyzy", given_name_latin="Zhanar"),
    )
    assert [(f.other, f.reason) for f in result.duplicates] == [(existing, DuplicateFlag.Reason.NAME_BIRTH_DATE)]


@pytest.mark.django_db
def test_the_same_name_with_another_birth_date_is_not_flagged(caseworker):
    PersonFactory(surname="Әбілқызы", given_name="Жанар", birth_date=D(1989, 5, 14), passport_number="G1")
    result = services.person_create(actor=caseworker, **person_fields())
    assert result.duplicates == []


@pytest.mark.django_db
def test_the_api_lists_possible_duplicates_of_a_new_person(api, caseworker):
    existing = PersonFactory(surname="Әбілқызы", given_name="Жанар", birth_date=D(1988, 5, 14), passport_number="G1")
    payload = person_fields(birth_date="1988-05-14")
    payload.update(country_of_origin=payload["country_of_origin"].pk, region=payload["region"].pk)
    payload.pop("citizenship")
    response = api(caseworker).post("/api/v1/persons/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["possible_duplicates"] == [
        {
            "person": existing.pk,
            "name": "Әбілқызы Жанар",
            "reason": "name_birth_date",
            "reason_display": "похожее имя и та же дата рождения",
            "similarity": 1.0,
            "in_your_scope": True,
        }
    ]


@pytest.mark.django_db
def test_the_admin_warns_about_a_possible_duplicate_on_creation(client, caseworker):
    PersonFactory(surname="Әбілқызы", given_name="Жанар", birth_date=D(1988, 5, 14), passport_number="G1")
    client.force_login(caseworker)
    data = person_fields(birth_date="14.05.1988")
    data.update(
        country_of_origin=data["country_of_origin"].pk,
        citizenship=data["citizenship"].pk,
        region=data["region"].pk,
        ethnicity="kazakh",
        preferred_language="kk",
        **{
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
            "documents-MIN_NUM_FORMS": "0",
            "documents-MAX_NUM_FORMS": "1000",
        },
    )
    response = client.post("/admin/oralman/person/add/", data, follow=True)
    assert response.status_code == 200
    assert Person.objects.count() == 2, response.context.get("errors")
    texts = [str(m) for m in response.context["messages"]]
    assert any("Әбілқызы Жанар" in t for t in texts), texts


# --- Families --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_family_has_its_head_as_a_member(caseworker):
    head = PersonFactory()
    family = services.family_create(head=head, actor=caseworker)
    assert family.region == head.region
    assert list(family.members.values_list("person", "relationship")) == [(head.pk, "head")]
    assert services.family_size(family) == 1


@pytest.mark.django_db
def test_a_person_belongs_to_one_family_at_a_time(caseworker):
    first, second = FamilyFactory(), FamilyFactory()
    child = PersonFactory()
    services.family_add_member(family=first, person=child, relationship="child", actor=caseworker)
    with pytest.raises(DomainError) as exc:
        services.family_add_member(family=second, person=child, relationship="child", actor=caseworker)
    assert exc.value.field == "person"
    assert str(first.pk) in str(exc.value.message)
    assert FamilyMember.objects.filter(person=child, left_on__isnull=True).count() == 1


@pytest.mark.django_db
def test_the_database_keeps_a_person_in_one_family_at_a_time():
    first, second = FamilyFactory(), FamilyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        FamilyMember.objects.create(family=second, person=first.head, relationship="spouse")


@pytest.mark.django_db
def test_after_leaving_a_family_a_person_may_join_another(caseworker):
    first, second = FamilyFactory(), FamilyFactory()
    child = PersonFactory()
    member = services.family_add_member(
        family=first, person=child, relationship="child", actor=caseworker, joined_on=D(2025, 1, 1)
    )
    services.family_remove_member(member=member, actor=caseworker, left_on=D(2026, 1, 1))
    services.family_add_member(family=second, person=child, relationship="spouse", actor=caseworker)
    assert list(FamilyMember.objects.filter(person=child, left_on__isnull=True).values_list("family", flat=True)) == [
        second.pk
    ]


@pytest.mark.django_db
def test_the_head_cannot_leave_and_nobody_leaves_before_joining(caseworker):
    family = FamilyFactory()
    with pytest.raises(DomainError):
        services.family_remove_member(member=family.members.get(), actor=caseworker)
    spouse = services.family_add_member(
        family=family, person=PersonFactory(), relationship="spouse", actor=caseworker, joined_on=D(2026, 1, 10)
    )
    with pytest.raises(DomainError) as exc:
        services.family_remove_member(member=spouse, actor=caseworker, left_on=D(2026, 1, 9))
    assert exc.value.field == "left_on"


@pytest.mark.django_db
def test_a_family_has_one_current_head_in_the_database():
    family = FamilyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        FamilyMember.objects.create(family=family, person=PersonFactory(), relationship="head")


@pytest.mark.django_db
def test_the_api_refuses_a_member_already_in_another_family(api, caseworker):
    first, second = FamilyFactory(), FamilyFactory()
    client = api(caseworker)
    response = client.post(
        f"/api/v1/families/{second.pk}/add-member/", {"person": first.head.pk, "relationship": "spouse"}, format="json"
    )
    assert response.status_code == 400
    assert "person" in response.json()


@pytest.mark.django_db
def test_the_admin_shows_the_iin_mismatch_warning_on_the_person_page(client, caseworker):
    person = PersonFactory(birth_date=D(1988, 5, 14), sex="F", iin=make_iin(D(1987, 5, 14), "F", 99))
    client.force_login(caseworker)
    response = client.get(f"/admin/oralman/person/{person.pk}/change/")
    texts = [str(m) for m in response.context["messages"]]
    assert any("14.05.1987" in t and "14.05.1988" in t for t in texts), texts
