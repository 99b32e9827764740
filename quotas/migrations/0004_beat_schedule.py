"""The nightly re-allocation of freed places (django-celery-beat rows, idempotent)."""

from django.db import migrations

TASKS = [
    (
        "quotas: re-allocate released places (nightly)",
        "quotas.tasks.reallocate_released_task",
        {"minute": "30", "hour": "2"},
    ),
]


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, when in TASKS:
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=when["minute"],
            hour=when["hour"],
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Almaty",
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": schedule, "enabled": True})


def unload(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[t[0] for t in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [("quotas", "0003_reference_data"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(load, unload)]
