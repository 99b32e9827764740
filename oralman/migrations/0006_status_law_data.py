"""The dated deadline rules of 2021 and 2025, the documents the status grant requires, the
'former citizen of Kazakhstan' answer of the persons who already hold or held a status, and the
running certificates' validity moved to the same-day rule (DOMAIN.md, the status; every row
editable in the admin)."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import migrations

RULES = [
    # (in force from, decision working days, commission working days, incomplete refused, portal open, source)
    (datetime.date(2021, 9, 1), 4, None, False, False,
     "Реформа «одного заявления» с 01.09.2021: 4 рабочих дня (сообщения прессы от 08.09.2021)"),
    (datetime.date(2025, 8, 1), 30, None, False, False,
     "Госкорпорация «Правительство для граждан», август 2025: 30 рабочих дней "
     "(дата начала не опубликована; 1 августа — выбор политики)"),
    (datetime.date(2025, 10, 1), 30, 3, True, True,
     "Правила октября 2025 г.: комиссия рекомендует в течение 3 рабочих дней, неполный пакет не принимается, "
     "миграционный портал — основной канал (день вступления в силу не опубликован; 1 октября — выбор политики)"),
]  # fmt: skip

SOURCE = "Госкорпорация, август 2025; услуга egov «Присвоение/продление статуса кандаса»"
REQUIRED = [
    # (document type, from whom, notarised translation needed for another language)
    ("application_form", "applicant", False),
    ("autobiography", "applicant", False),
    ("purpose_of_move", "applicant", False),
    ("passport", "every_person", True),
    ("ethnicity_proof", "every_person", True),
    ("photo", "every_person", False),
]


def load(apps, schema_editor):
    StatusRule = apps.get_model("oralman", "StatusRule")
    StatusRequiredDocument = apps.get_model("oralman", "StatusRequiredDocument")
    Person = apps.get_model("oralman", "Person")
    first = StatusRule.objects.order_by("valid_from").first()
    carried = {
        name: getattr(first, name) if first else default
        for name, default in [("validity_months", 12), ("extension_months", 6), ("max_extensions", 1),
                              ("extension_opens_days_before_expiry", 30), ("extension_closes_months_after_expiry", 6)]
    }  # fmt: skip
    for valid_from, days, commission, refuse_incomplete, portal, source in RULES:
        StatusRule.objects.get_or_create(
            valid_from=valid_from,
            defaults={
                **carried,
                "decision_working_days": days,
                "commission_working_days": commission,
                "refuse_incomplete_at_submission": refuse_incomplete,
                "migration_portal_open": portal,
                "legal_basis": source,
            },
        )
    for doc_type, for_whom, translation in REQUIRED:
        StatusRequiredDocument.objects.get_or_create(
            doc_type=doc_type, defaults={"for_whom": for_whom, "needs_translation": translation, "legal_basis": SOURCE}
        )
    # A status was granted after the caseworker checked the person: their answer was "never a citizen".
    Person.objects.filter(statuses__isnull=False, former_kz_citizen__isnull=True).update(former_kz_citizen=False)
    # Certificates issued before this release were valid one day short (through 09.03.2027 for one
    # issued 10.03.2026): a term in years ends on the same day (DOMAIN.md). Correct the running ones.
    KandasStatus = apps.get_model("oralman", "KandasStatus")
    for status in KandasStatus.objects.filter(terminated_on__isnull=True, extensions=0):
        rule = StatusRule.objects.filter(valid_from__lte=status.issued_on).order_by("-valid_from").first()
        months = rule.validity_months if rule else 12
        if status.valid_until == status.issued_on + relativedelta(months=months) - datetime.timedelta(days=1):
            status.valid_until = status.issued_on + relativedelta(months=months)
            status.save(update_fields=["valid_until"])


class Migration(migrations.Migration):
    dependencies = [("oralman", "0005_status_law")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
