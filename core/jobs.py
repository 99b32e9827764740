"""Handing jobs to the broker without ever failing or holding up the request that asked for them.

Every background job is a database row first (an allocation run, a report export, a notification):
the request commits the row and, after the commit, tries once to publish its message with short
connection and publish timeouts (config/settings/base.py, CELERY_BROKER_*). If the broker is down
the row simply stays unconfirmed (its `dispatched_at` empty) and the dispatcher task (beat, every
minute) publishes it later. Jobs are idempotent, so a message published twice does no harm.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def publish(task, *, args: list, kwargs: dict | None = None, queue: str | None = None) -> str | None:
    """Publish `task`; return its id, or None when the broker could not take it (logged, never raised).

    In eager mode (no broker: the newcomer's default and the tests) the task runs here and its
    exceptions propagate as they always did."""
    options = {"queue": queue} if queue else {}
    if task.app.conf.task_always_eager:
        return task.apply_async(args=args, kwargs=kwargs, **options).id
    try:
        return task.apply_async(args=args, kwargs=kwargs, retry=False, **options).id
    except Exception:
        logger.warning("Could not publish %s%s; the dispatcher will publish it.", task.name, args, exc_info=True)
        return None
