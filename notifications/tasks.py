"""Celery tasks of the outbox and the scheduled jobs: thin, idempotent, ids in and counts out."""

from __future__ import annotations

from celery import shared_task

from notifications import scheduled, services


# One delivery is one SMTP or gateway exchange (EMAIL_TIMEOUT, the gateway's timeout): a minute is plenty.
@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def deliver_notification_task(notification_id: int) -> str:
    """One delivery attempt of one notification (a no-op if it is sent, failed or held elsewhere)."""
    return services.notification_deliver(notification_id=notification_id)


@shared_task
def sweep_outbox_task(limit: int = 500) -> int:
    """Every minute: enqueue what was missed at commit time, is due for a retry, or lost its worker."""
    return len(services.outbox_sweep(limit=limit))


@shared_task
def deadline_digest_task(working_days: int = 3) -> int:
    """Each working day: a digest of the decision deadlines of the coming working days per caseworker."""
    return scheduled.deadline_digest_send(working_days=working_days)
