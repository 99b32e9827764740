"""Dated defaults of the status rules and the policy list of refusal grounds (DOMAIN.md)."""

import datetime

from django.db import migrations

GROUNDS = [
    ("false-documents", "Ложные или поддельные документы", "Жалған немесе қолдан жасалған құжаттар", "False or forged documents"),
    ("not-eligible", "Не соответствует определению кандаса (не этнический казах и не член семьи)",
     "Қандас анықтамасына сәйкес келмейді (этникалық қазақ немесе отбасы мүшесі емес)",
     "Does not meet the definition (not an ethnic Kazakh or a family member)"),
    ("security-threat", "Угроза национальной безопасности или общественному порядку",
     "Ұлттық қауіпсіздікке немесе қоғамдық тәртіпке қатер", "A threat to national security or public order"),
    ("grave-crime", "Судимость за тяжкие преступления", "Ауыр қылмыстар үшін сотталғандық", "A criminal record for grave crimes"),
    ("revoked-before", "Ранее отозванный статус", "Бұрын қайтарып алынған мәртебе", "A previous status revoked"),
]  # fmt: skip


def load(apps, schema_editor):
    StatusRule = apps.get_model("oralman", "StatusRule")
    RefusalGround = apps.get_model("oralman", "RefusalGround")
    StatusRule.objects.get_or_create(
        valid_from=datetime.date(2011, 7, 22),
        defaults={
            "decision_working_days": 5,
            "validity_months": 12,
            "extension_months": 6,
            "max_extensions": 1,
            "extension_opens_days_before_expiry": 30,
            "extension_closes_months_after_expiry": 6,
            "legal_basis": "Закон РК «О миграции населения» № 477-IV от 22.07.2011 (с изменениями 2020 г.)",
        },
    )
    for code, ru, kk, en in GROUNDS:
        RefusalGround.objects.get_or_create(code=code, defaults={"name_ru": ru, "name_kk": kk, "name_en": en})


class Migration(migrations.Migration):
    dependencies = [("oralman", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
