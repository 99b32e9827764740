"""Country names as used in Kazakhstan (DOMAIN.md "Words"): ru "Кыргызстан" (was "Киргизия"),
kk "Моңғолия" (was "Монғолия"). core/data/countries.csv carries the same names for new databases."""

from django.db import migrations

NAMES = {"KG": {"name_ru": "Кыргызстан"}, "MN": {"name_kk": "Моңғолия"}}
OLD = {"KG": {"name_ru": "Киргизия"}, "MN": {"name_kk": "Монғолия"}}


def rename(names):
    def run(apps, schema_editor):
        Country = apps.get_model("core", "Country")
        for iso2, fields in names.items():
            Country.objects.filter(iso2=iso2).update(**fields)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0004_reportexport")]
    operations = [migrations.RunPython(rename(NAMES), rename(OLD))]
