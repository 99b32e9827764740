from celery import shared_task
from django.conf import settings

from core.services import report_export_run, report_exports_dispatch


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.EXPORT_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORT_TASK_TIME_LIMIT,
)
def export_report_task(export_id: int) -> None:
    report_export_run(export_id=export_id)


@shared_task(acks_late=True)
def dispatch_report_exports_task() -> list[int]:
    """Every minute (beat): publish the pending exports whose job never reached the broker."""
    return report_exports_dispatch()
