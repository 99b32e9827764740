"""Reference data of issue 12 (DOMAIN.md "The quota"):

- the housing certificate from 1 January 2026 is a fixed 1,625 MCI (7,028,125 tenge), or the actual
  price where the home costs less (reports of December 2025); 2023-2025 keep 50 % up to 1,160 MCI;
- the employers' relocation subsidy of 400 MCI (2026 quota order);
- the 2016 quota: 1,259 + 463 families (Government decree; the two parts kept in the note).
"""

from django.db import migrations


def forward(apps, schema_editor):
    BenefitRates = apps.get_model("quotas", "BenefitRates")
    QuotaYear = apps.get_model("quotas", "QuotaYear")
    BenefitRates.objects.filter(year__lt=2026).update(housing_certificate_mode="percent_with_cap")
    BenefitRates.objects.filter(year=2026).update(
        housing_certificate_mode="fixed_up_to_price", housing_certificate_cap_mci=1625, employer_subsidy_mci=400
    )
    QuotaYear.objects.get_or_create(
        year=2016,
        defaults={
            "unit": "families",
            "national_total": 1259 + 463,
            "act_title": "Постановление Правительства РК о квоте иммиграции оралманов на 2016 год",
            "is_open": False,
            "note": "1 259 + 463 семей (две части квоты 2016 года, как в DOMAIN.md).",
        },
    )


def backward(apps, schema_editor):
    BenefitRates = apps.get_model("quotas", "BenefitRates")
    BenefitRates.objects.filter(year=2026).update(
        housing_certificate_mode="percent_with_cap", employer_subsidy_mci=None
    )
    apps.get_model("quotas", "QuotaYear").objects.filter(year=2016, requests__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("quotas", "0005_housing_rule_mode_employer_subsidy")]
    operations = [migrations.RunPython(forward, backward)]
