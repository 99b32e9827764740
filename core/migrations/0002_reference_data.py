"""Regions (2022 reform) and ISO 3166-1 countries with Kazakh, Russian and English names."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    Country = apps.get_model("core", "Country")
    with open(DATA / "regions.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Region.objects.update_or_create(code=row.pop("code"), defaults=row)
    with open(DATA / "countries.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Country.objects.update_or_create(iso2=row.pop("iso2"), defaults=row)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
