from celery import shared_task

from oralman.services import status_expire_due, status_expiring_remind


@shared_task
def expire_statuses_task() -> int:
    """Daily: close statuses whose validity ended (idempotent: closed ones are skipped)."""
    return status_expire_due()


@shared_task
def status_expiring_reminders_task(days_ahead: int = 30) -> int:
    """Daily: remind holders whose kandas status ends within `days_ahead` days (notifications.notify;
    once per end date). Formerly notifications.tasks.status_expiring_reminders_task."""
    return status_expiring_remind(days_ahead=days_ahead)


@shared_task
def duplicate_sweep_task() -> int:
    """Nightly: flag likely duplicates across the whole registry (oralman.matching.duplicate_sweep)."""
    from oralman.matching import duplicate_sweep

    return duplicate_sweep()


@shared_task
def import_check_task(batch_id: int) -> str:
    """The dry run of an uploaded arrival list (idempotent: the rows of a check are replaced)."""
    from oralman.imports import import_check
    from oralman.models import ImportBatch

    batch = ImportBatch.objects.filter(pk=batch_id, state__in=["uploaded", "checking"]).first()
    return import_check(batch=batch).state if batch else "skipped"


@shared_task
def import_apply_task(batch_id: int) -> str:
    """The confirmed import (each line keyed by its external id, so a rerun changes nothing twice)."""
    from oralman.imports import import_apply
    from oralman.models import ImportBatch

    batch = ImportBatch.objects.filter(pk=batch_id, state="importing").first()
    return import_apply(batch=batch).state if batch else "skipped"
