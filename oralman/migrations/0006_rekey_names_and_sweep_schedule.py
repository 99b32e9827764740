"""The transliteration now also folds dzh/dj and the y-glide (-ayev ~ -aev, Ye- ~ E-): recompute
every person's name keys, in batches; and schedule the nightly duplicate sweep."""

from django.db import migrations

TASK_NAME = "oralman: nightly likely-duplicate sweep"
BATCH = 5000


def rekey(apps, schema_editor):
    from core.translit import name_key

    Person = apps.get_model("oralman", "Person")
    last = 0
    while True:
        batch = list(
            Person.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "surname", "given_name", "surname_latin", "given_name_latin", "name_key", "latin_key")[:BATCH]
        )
        if not batch:
            return
        changed = []
        for person in batch:
            keys = (
                name_key(person.surname, person.given_name),
                name_key(person.surname_latin, person.given_name_latin),
            )
            if keys != (person.name_key, person.latin_key):
                person.name_key, person.latin_key = keys
                changed.append(person)
        Person.objects.bulk_update(changed, ["name_key", "latin_key"])
        last = batch[-1].pk


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Almaty"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME, defaults={"task": "oralman.tasks.duplicate_sweep_task", "crontab": crontab, "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("oralman", "0005_person_matcher"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(rekey, migrations.RunPython.noop),
        migrations.RunPython(schedule, unschedule),
    ]
