"""The kinds of service from the centers' rules (orders No. 330-Ө-М and 331-Ө-М of 22 July 2013),
as editable reference data. Re-running updates names and keeps rows an administrator added."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "service_kinds.csv"


def load(apps, schema_editor):
    ServiceKind = apps.get_model("adaptation_centers", "ServiceKind")
    with DATA.open(encoding="utf-8") as fh:
        for position, row in enumerate(csv.DictReader(fh), start=1):
            ServiceKind.objects.update_or_create(
                code=row["code"],
                defaults={
                    "category": row["category"],
                    "is_course": row["is_course"] == "1",
                    "is_language_course": row["is_language_course"] == "1",
                    "name_ru": row["name_ru"],
                    "name_kk": row["name_kk"],
                    "name_en": row["name_en"],
                    "position": position * 10,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("adaptation_centers", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
