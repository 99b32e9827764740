from celery import shared_task

from oralman.services import status_expire_due


@shared_task
def expire_statuses_task() -> int:
    """Daily: close statuses whose validity ended (idempotent: closed ones are skipped)."""
    return status_expire_due()


@shared_task
def duplicate_sweep_task() -> int:
    """Nightly: flag likely duplicates across the whole registry (oralman.matching.duplicate_sweep)."""
    from oralman.matching import duplicate_sweep

    return duplicate_sweep()
