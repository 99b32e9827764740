"""Celery queues: one per kind of work, so a slow channel never blocks the others.

    allocation  the quota allocation job and its notices (minutes at national scale)
    exports     background report exports (CSV/XLSX)
    email       e-mail deliveries (an SMTP server that never answers holds only this queue)
    sms         SMS deliveries
    default     everything else (dispatcher, sweeps, daily jobs)

Workers are started per queue (`celery -A config worker -Q allocation`, see docs/operations.md);
a worker started without -Q consumes all of them. CELERY_QUEUE_PREFIX keeps parallel test runs
(and several installations sharing one broker) apart.
"""

from __future__ import annotations

from kombu import Queue

NAMES = ("default", "allocation", "exports", "email", "sms")

#: Task name -> queue (without the prefix). Deliveries go to the queue of their channel (see route_task).
ROUTES = {
    "quotas.tasks.allocate_quota_task": "allocation",
    "quotas.tasks.notify_run_decisions_task": "allocation",
    "quotas.tasks.reallocate_released_task": "allocation",
    "core.tasks.export_report_task": "exports",
}


def declare(prefix: str) -> list[Queue]:
    return [Queue(prefix + name, routing_key=prefix + name) for name in NAMES]


def queue_name(name: str) -> str:
    from django.conf import settings

    return getattr(settings, "CELERY_QUEUE_PREFIX", "") + name


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router: the queue of a task by its name; an explicit `queue=` at the call wins."""
    queue = ROUTES.get(name)
    if queue is None and name == "notifications.tasks.deliver_notification_task":
        channel = (kwargs or {}).get("channel")
        queue = channel if channel in ("email", "sms") else None
    return {"queue": queue_name(queue or "default")}
