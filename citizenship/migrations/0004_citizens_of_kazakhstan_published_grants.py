"""Existing data moves forward (issue 12):

- every person admitted to citizenship (`citizen_since` set) becomes a citizen of Kazakhstan, and
  the foreign citizenship is kept as the former one (the application's renounced citizenship, else
  the person's current one): demo citizens and any grant recorded before this change;
- the seed split rows (source "... split illustrative") are marked illustrative;
- the published national totals of 2021-2023 are carried (DOMAIN.md).
"""

from django.db import migrations

PUBLISHED_SOURCE = "Public reporting of citizenship grants (DOMAIN.md: 2021-2023)"
PUBLISHED_GRANTS = [
    (2021, "not_stated", 24_120),
    (2022, "not_stated", 22_114),
    (2023, "oralman", 20_523),
    (2023, "other", 26_828 - 20_523),
]


def forward(apps, schema_editor):
    Country = apps.get_model("core", "Country")
    Person = apps.get_model("oralman", "Person")
    Application = apps.get_model("citizenship", "CitizenshipApplication")
    HistoricalAdmission = apps.get_model("citizenship", "HistoricalAdmission")

    kazakhstan = Country.objects.filter(iso2="KZ").first()
    if kazakhstan is not None:
        renounced = dict(
            Application.objects.filter(state="granted", former_citizenship__isnull=False)
            .order_by("person_id", "registration_date")
            .values_list("person_id", "former_citizenship_id")
        )
        for person in Person.objects.filter(citizen_since__isnull=False).exclude(citizenship=kazakhstan).iterator():
            former = renounced.get(person.pk, person.citizenship_id)
            Person.objects.filter(pk=person.pk).update(
                citizenship=kazakhstan, former_citizenship_id=person.former_citizenship_id or former
            )

    HistoricalAdmission.objects.filter(source__icontains="illustrative").update(illustrative=True)
    for year, basis, count in PUBLISHED_GRANTS:
        HistoricalAdmission.objects.get_or_create(
            year=year, region=None, basis=basis, former_citizenship=None,
            defaults={"count": count, "source": PUBLISHED_SOURCE, "illustrative": False},
        )  # fmt: skip


def backward(apps, schema_editor):
    HistoricalAdmission = apps.get_model("citizenship", "HistoricalAdmission")
    HistoricalAdmission.objects.filter(source=PUBLISHED_SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("citizenship", "0003_registration_decision_children_illustrative"),
        ("oralman", "0005_person_former_citizenship"),
        ("core", "0002_reference_data"),
    ]
    operations = [migrations.RunPython(forward, backward)]
