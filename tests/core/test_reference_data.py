"""A fresh database has the reference data: regions, countries, roles, status rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from core.models import Country, Region
from core.roles import Role, declared_permissions
from oralman.models import RefusalGround, StatusRule


@pytest.mark.django_db
def test_all_twenty_regions_of_the_2022_reform_are_loaded_in_three_languages():
    regions = Region.objects.all()
    assert regions.count() == 20
    assert regions.filter(kind="region").count() == 17
    assert set(regions.filter(kind="city").values_list("name_ru", flat=True)) == {"Астана", "Алматы", "Шымкент"}
    for region in regions:
        assert region.name_ru and region.name_kk and region.name_en, region.code
    assert {"abai", "jetisu", "ulytau"} <= set(regions.values_list("code", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "ru", "kk"),
    [
        ("abai", "область Абай", "Абай облысы"),
        ("akmola", "Акмолинская область", "Ақмола облысы"),
        ("pavlodar", "Павлодарская область", "Павлодар облысы"),
        ("east-kazakhstan", "Восточно-Казахстанская область", "Шығыс Қазақстан облысы"),
        ("ulytau", "область Ұлытау", "Ұлытау облысы"),
    ],
)
def test_region_names_are_the_official_ones(code, ru, kk):
    region = Region.objects.get(code=code)
    assert (region.name_ru, region.name_kk) == (ru, kk)


@pytest.mark.django_db
def test_all_249_iso_countries_are_loaded_in_three_languages():
    countries = Country.objects.all()
    assert countries.count() == 249
    assert countries.values("iso3").distinct().count() == 249
    for country in countries:
        assert country.name_ru and country.name_kk and country.name_en, country.iso2
    kz = Country.objects.get(iso2="KZ")
    assert (kz.iso3, kz.numeric, kz.name_ru, kz.name_kk) == ("KAZ", "398", "Казахстан", "Қазақстан")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("iso2", "kk"),
    [("UZ", "Өзбекстан"), ("CN", "Қытай"), ("MN", "Моңғолия"), ("TM", "Түрікменстан"), ("RU", "Ресей"),
     ("KG", "Қырғызстан"), ("TJ", "Тәжікстан"), ("AF", "Ауғанстан"), ("TR", "Түркия")],
)  # fmt: skip
def test_the_main_countries_of_origin_have_their_kazakh_names(iso2, kk):
    assert Country.objects.get(iso2=iso2).name_kk == kk


@pytest.mark.django_db
def test_reference_names_follow_the_active_language():
    china = Country.objects.get(iso2="CN")
    for lang, expected in (("ru", "Китай"), ("kk", "Қытай"), ("en", "China")):
        with translation.override(lang):
            assert china.name == str(china) == expected


@pytest.mark.django_db
def test_the_role_groups_exist_with_their_declared_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    declared = declared_permissions()
    for role in (Role.CASEWORKER, Role.MINISTRY_ANALYST, Role.CENTER_STAFF):
        group = Group.objects.get(name=role)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert granted == declared[role]
    analyst = {p.codename for p in Group.objects.get(name=Role.MINISTRY_ANALYST).permissions.all()}
    assert analyst and all(code.startswith("view_") for code in analyst)
    caseworker = {p.codename for p in Group.objects.get(name=Role.CASEWORKER).permissions.all()}
    assert "change_statusapplication" in caseworker
    assert "delete_statusapplication" not in caseworker


@pytest.mark.django_db
def test_the_default_status_rules_and_refusal_grounds_are_loaded():
    rules = StatusRule.objects.order_by("valid_from")
    assert [(r.valid_from.year, r.decision_working_days) for r in rules] == [
        (2011, 5),
        (2021, 4),
        (2025, 30),
        (2025, 30),
    ]
    for rule in rules:
        assert (rule.validity_months, rule.extension_months, rule.max_extensions) == (12, 6, 1)
    codes = set(RefusalGround.objects.values_list("code", flat=True))
    assert codes == {"false-documents", "not-eligible", "security-threat", "grave-crime", "revoked-before"}
    for ground in RefusalGround.objects.all():
        assert ground.name_ru and ground.name_kk and ground.name_en
