"""Dated default of the decision deadline, the documents each basis needs, and the policy list
of refusal grounds (DOMAIN.md; all editable in the admin)."""

import datetime

from django.db import migrations

COMMON = ["application_form", "renunciation", "undertaking", "passport"]
REQUIRED = {
    "oralman": COMMON + ["kandas_certificate"],
    "born_in_kz": COMMON + ["birth_certificate"],
    "former_citizen": COMMON,
    "family_of_citizen": COMMON,
    "general": COMMON,
}

GROUNDS = [
    ("false-documents", "Ложные сведения или поддельные документы", "Жалған мәліметтер немесе қолдан жасалған құжаттар",
     "False information or forged documents"),
    ("not-eligible", "Не соответствует условиям упрощённого (регистрационного) порядка",
     "Жеңілдетілген (тіркеу) тәртібінің шарттарына сәйкес келмейді",
     "Does not meet the conditions of the simplified (registration) procedure"),
    ("renunciation-not-confirmed", "Не подтверждён отказ от иностранного гражданства",
     "Шетел азаматтығынан бас тарту расталмаған", "Renunciation of the foreign citizenship not confirmed"),
    ("security-threat", "Угроза национальной безопасности или общественному порядку",
     "Ұлттық қауіпсіздікке немесе қоғамдық тәртіпке қатер", "A threat to national security or public order"),
    ("grave-crime", "Судимость за тяжкое или особо тяжкое преступление", "Ауыр немесе аса ауыр қылмыс үшін сотталғандық",
     "A criminal record for a grave or especially grave crime"),
    ("expelled", "Выдворение из Республики Казахстан в течение последних пяти лет",
     "Соңғы бес жыл ішінде Қазақстан Республикасынан шығарып жіберілген",
     "Expelled from Kazakhstan within the last five years"),
]  # fmt: skip


def load(apps, schema_editor):
    CitizenshipRule = apps.get_model("citizenship", "CitizenshipRule")
    RequiredDocument = apps.get_model("citizenship", "RequiredDocument")
    Ground = apps.get_model("citizenship", "CitizenshipRefusalGround")
    CitizenshipRule.objects.get_or_create(
        valid_from=datetime.date(1991, 12, 20),
        defaults={
            "decision_months": 3,
            "legal_basis": "Закон РК «О гражданстве Республики Казахстан» № 1017-XII от 20.12.1991 "
            "(регистрационный порядок для кандасов)",
        },
    )
    for basis, doc_types in REQUIRED.items():
        for doc_type in doc_types:
            RequiredDocument.objects.get_or_create(basis=basis, doc_type=doc_type)
    for code, ru, kk, en in GROUNDS:
        Ground.objects.get_or_create(code=code, defaults={"name_ru": ru, "name_kk": kk, "name_en": en})


class Migration(migrations.Migration):
    dependencies = [("citizenship", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
