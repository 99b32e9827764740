"""Scheduled work of the centers (beat schedule: migration 0003_beat_schedule)."""

from __future__ import annotations

import datetime

from celery import shared_task


@shared_task
def flag_checkouts_task(day: str | None = None) -> dict:
    """Daily: flag stays ending within 7 days and overstays, and queue the notices. Idempotent."""
    from adaptation_centers.services import placement_flag_checkouts

    today = datetime.date.fromisoformat(day) if day else None
    result = placement_flag_checkouts(today=today)
    return {"approaching": result.approaching, "overstays": result.overstays}
