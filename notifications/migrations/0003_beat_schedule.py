"""The beat schedule of the notifications (and the daily status expiry of oralman), editable in the
admin under "Periodic tasks". Times are Asia/Almaty. Existing rows are left as an administrator set them."""

import json

from django.db import migrations

CRONTAB_TASKS = [
    # name, task, (minute, hour), kwargs
    ("oralman: close expired statuses", "oralman.tasks.expire_statuses_task", ("5", "0"), {}),
    (
        "notifications: status expiring reminders",
        "notifications.tasks.status_expiring_reminders_task",
        ("0", "9"),
        {"days_ahead": 30},
    ),
    (
        "notifications: caseworker deadline digest",
        "notifications.tasks.deadline_digest_task",
        ("0", "8"),
        {"working_days": 3},
    ),
]


def load(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="notifications: sweep outbox",
        defaults={
            "task": "notifications.tasks.sweep_outbox_task",
            "interval": every_minute,
            "kwargs": "{}",
            "description": "Delivers notifications missed at commit time, due for a retry or whose worker was lost.",
        },
    )
    for name, task, (minute, hour), kwargs in CRONTAB_TASKS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Almaty"
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "kwargs": json.dumps(kwargs)}
        )


def unload(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    names = ["notifications: sweep outbox", *(name for name, *_ in CRONTAB_TASKS)]
    PeriodicTask.objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_default_templates"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, unload)]
