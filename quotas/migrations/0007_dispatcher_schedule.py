"""The job dispatchers run every minute (beat): allocation runs and report exports whose message is
not confirmed, runs whose worker died, failed runs, and notices of finished runs. Editable in the
admin under "Periodic tasks"; existing rows are left as an administrator set them."""

from django.db import migrations

DISPATCHERS = [
    (
        "quotas: dispatch allocation runs",
        "quotas.tasks.dispatch_allocation_runs_task",
        "Publishes allocation runs the broker never took, resumes stalled or failed runs, notifies finished ones.",
    ),
    (
        "core: dispatch report exports",
        "core.tasks.dispatch_report_exports_task",
        "Publishes report exports whose job never reached the broker.",
    ),
]


def load(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    for name, task, description in DISPATCHERS:
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": every_minute, "kwargs": "{}", "description": description}
        )


def unload(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[d[0] for d in DISPATCHERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quotas", "0006_run_outbox_and_resume"),
        ("core", "0005_export_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, unload)]
