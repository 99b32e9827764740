from celery import shared_task

from core.services import report_export_run


@shared_task(acks_late=True)
def export_report_task(export_id: int) -> None:
    report_export_run(export_id=export_id)
