"""Celery tasks of the quota: thin, take ids, idempotent (a done run is never repeated)."""

from __future__ import annotations

from celery import shared_task

from quotas import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def allocate_quota_task(self, run_id: int) -> dict:
    """Execute an allocation run; progress is written to the run row and to the task state."""

    def report(run):
        if self.request.id and not self.request.is_eager:
            self.update_state(
                state="PROGRESS",
                meta={"run_id": run.pk, "regions_done": run.regions_done, "regions_total": run.regions_total},
            )

    run = services.allocation_run_execute(run_id=run_id, on_progress=report)
    notify_run_decisions_task.delay(run.pk)
    return {"run_id": run.pk, "status": run.status, "allocated": run.allocated, "waitlisted": run.waitlisted}


@shared_task(acks_late=True)
def reallocate_released_task() -> list[int]:
    """Nightly (beat): give places freed by declines and releases, and new requests, their decision."""
    run_ids = [run.pk for run in services.reallocate_open_years()]
    for run_id in run_ids:
        notify_run_decisions_task.delay(run_id)
    return run_ids


@shared_task(acks_late=True)
def notify_run_decisions_task(run_id: int) -> int:
    """Tell the families a run decided (idempotent: the notification keys)."""
    return services.notify_run_decisions(run_id=run_id)
