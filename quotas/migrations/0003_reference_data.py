"""Reference data from DOMAIN.md: the 2026 order (2,281 persons over 8 regions), earlier national
totals (closed years, no regional split), the default priority list (a policy choice), MCI values
2023-2026 and the benefit rates in MCI."""

from decimal import Decimal

from django.db import migrations

SPLIT_2026 = [
    ("pavlodar", 977),
    ("akmola", 285),
    ("abai", 264),
    ("east-kazakhstan", 200),
    ("north-kazakhstan", 200),
    ("kostanay", 200),
    ("atyrau", 125),
    ("west-kazakhstan", 30),
]

# (year, unit, total, act) — history for reports; closed, without a regional split.
HISTORY = [
    (1997, "families", 2180, "Указ Президента РК"),
    (2000, "families", 500, "Указ Президента РК"),
    (2004, "families", 10000, "Указ Президента РК"),
    (2005, "families", 15000, "Указ Президента РК"),
    (2006, "families", 15000, "Указ Президента РК"),
    (2007, "families", 15000, "Указ Президента РК"),
    (2012, "families", 10000, "Постановление Правительства РК"),
    (2013, "families", 10000, "Постановление Правительства РК"),
    (2014, "families", 10000, "Постановление Правительства РК"),
    (2022, "persons", 1499, "Приказ Министра труда и социальной защиты населения РК"),
    (2023, "persons", 1925, "Приказ Министра труда и социальной защиты населения РК"),
    (2024, "persons", 3033, "Приказ Министра труда и социальной защиты населения РК (2 433, увеличена до 3 033)"),
    (2025, "persons", 2309, "Приказ Министра труда и социальной защиты населения РК"),
]

CATEGORIES = [
    (
        1,
        "disabled-member",
        "Семьи, в составе которых есть лицо с инвалидностью",
        "Құрамында мүгедектігі бар адам бар отбасылар",
        "Families with a disabled member",
    ),
    (
        2,
        "large-family",
        "Многодетные семьи (четверо и более несовершеннолетних детей)",
        "Көп балалы отбасылар (төрт және одан да көп кәмелетке толмаған бала)",
        "Large families (four or more minor children)",
    ),
    (
        3,
        "shortage-specialist",
        "Специалисты по профессиям, которых не хватает в регионе",
        "Өңірде тапшы мамандықтар бойынша мамандар",
        "Specialists in the professions the region lacks",
    ),
    (
        4,
        "temporary-center",
        "Семьи, уже размещённые в центре временного размещения",
        "Уақытша орналастыру орталығында тұрып жатқан отбасылар",
        "Families already in a temporary accommodation center",
    ),
]

MCI = [(2023, "3450"), (2024, "3692"), (2025, "3932"), (2026, "4325")]


def load(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    QuotaYear = apps.get_model("quotas", "QuotaYear")
    RegionalQuota = apps.get_model("quotas", "RegionalQuota")
    PriorityCategory = apps.get_model("quotas", "PriorityCategory")
    MciValue = apps.get_model("quotas", "MciValue")
    BenefitRates = apps.get_model("quotas", "BenefitRates")

    year, _ = QuotaYear.objects.get_or_create(
        year=2026,
        defaults={
            "unit": "persons",
            "national_total": 2281,
            "act_title": "Приказ Министра труда и социальной защиты населения РК о квоте иммиграции кандасов на 2026 год",
            "is_open": True,
            "oversize_rule": "strict_order",
            "note": "Номер и дата приказа не указаны в исходных материалах: внесите их.",
        },
    )
    for code, places in SPLIT_2026:
        RegionalQuota.objects.get_or_create(
            quota_year=year, region=Region.objects.get(code=code), defaults={"places": places}
        )
    for y, unit, total, act in HISTORY:
        QuotaYear.objects.get_or_create(
            year=y, defaults={"unit": unit, "national_total": total, "act_title": act, "is_open": False}
        )
    for rank, code, ru, kk, en in CATEGORIES:
        PriorityCategory.objects.get_or_create(
            code=code, defaults={"rank": rank, "name_ru": ru, "name_kk": kk, "name_en": en}
        )
    for y, tenge in MCI:
        MciValue.objects.get_or_create(
            year=y, defaults={"tenge": Decimal(tenge), "legal_basis": f"Закон РК о республиканском бюджете на {y} год"}
        )
        BenefitRates.objects.get_or_create(
            year=y,
            defaults={
                "relocation_mci_per_member": 70,
                "rent_mci_per_month": 15,
                "rent_mci_per_month_large_family": 30,
                "large_family_from_members": 5,
                "rent_months": 12,
                "housing_certificate_percent": 50,
                "housing_certificate_cap_mci": 1625 if y >= 2026 else 1160,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("quotas", "0002_share_foreign_key"), ("core", "0002_reference_data")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
