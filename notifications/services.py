"""The one entry point other apps use to notify someone (a transactional outbox, issue 7).

Call it inside the transaction of the event that causes it: the notification row commits or
rolls back with the event. `key` makes a repeated call for the same event a no-op.
"""

from __future__ import annotations

from typing import Any


def notify(*, event: str, key: str, person=None, user=None, context: dict[str, Any] | None = None) -> None:
    """Queue a notification of `event` to a person (applicant) or a staff user."""
    # Placeholder until the outbox lands: events are accepted and dropped.
    return None
