"""Celery tasks of the quota: thin, take ids, idempotent (a done run is never repeated).

They run on the "allocation" queue (config/queues.py) with limits of their own: a national run
takes minutes. A run whose worker dies is redelivered (acks late, rejected on worker loss) or
resumed by the dispatcher; either way it goes on from the regions it had not decided."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from core.jobs import publish
from quotas import services

LONG = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.ALLOCATION_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.ALLOCATION_TASK_TIME_LIMIT,
}


@shared_task(bind=True, **LONG)
def allocate_quota_task(self, run_id: int) -> dict:
    """Execute an allocation run; progress is written to the run row and to the task state."""

    def report(run):
        if self.request.id and not self.request.is_eager:
            self.update_state(
                state="PROGRESS",
                meta={"run_id": run.pk, "regions_done": run.regions_done, "regions_total": run.regions_total},
            )

    run = services.allocation_run_execute(run_id=run_id, on_progress=report)
    if run.status == run.Status.DONE:
        publish(notify_run_decisions_task, args=[run.pk])  # if the broker is down, the dispatcher will
    return {"run_id": run.pk, "status": run.status, "allocated": run.allocated, "waitlisted": run.waitlisted}


@shared_task(**LONG)
def reallocate_released_task() -> list[int]:
    """Nightly (beat): give places freed by declines and releases, and new requests, their decision."""
    run_ids = [run.pk for run in services.reallocate_open_years()]
    for run_id in run_ids:
        publish(notify_run_decisions_task, args=[run_id])
    return run_ids


@shared_task(**LONG)
def notify_run_decisions_task(run_id: int) -> int:
    """Tell the families of the run's year whose decision has no notice yet (idempotent: the keys)."""
    return services.notify_run_decisions(run_id=run_id)


@shared_task(acks_late=True)
def dispatch_allocation_runs_task() -> dict:
    """Every minute (beat): publish runs that are queued but unconfirmed, orphaned or failed, and
    the notices of finished runs (see quotas.services.allocation_runs_dispatch)."""
    return services.allocation_runs_dispatch()
