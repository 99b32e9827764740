"""The status expiring reminder moved from notifications to the app that owns the status
(notifications know events, not domains): its beat row now names oralman's task. An administrator's
schedule and arguments are kept; only the task path and the row's name change."""

from django.db import migrations
from django.utils import timezone

OLD = ("notifications: status expiring reminders", "notifications.tasks.status_expiring_reminders_task")
NEW = ("oralman: status expiring reminders", "oralman.tasks.status_expiring_reminders_task")


def _rename(apps, source, target):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task=source[1]).update(task=target[1])
    if not PeriodicTask.objects.filter(name=target[0]).exists():
        PeriodicTask.objects.filter(name=source[0]).update(name=target[0])
    # A running beat (DatabaseScheduler) reloads its schedule when this marker changes.
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def forward(apps, schema_editor):
    _rename(apps, OLD, NEW)


def backward(apps, schema_editor):
    _rename(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("oralman", "0010_merged_events_and_person_permissions"),
        ("notifications", "0003_beat_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forward, backward)]
