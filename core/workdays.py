"""Working days by Kazakhstan's calendar: public holidays and days off moved by decree from the
`holidays` package (the maintained source), overridden by the admin table `CalendarOverride` of
extra days off and extra working days, so a new Government decree needs no release.

The override table is small and rarely changes: it is read once and kept in the process for
OVERRIDES_TTL seconds (a change in this process clears it at once; other processes see it within
the TTL)."""

from __future__ import annotations

import datetime
import time
from functools import lru_cache

import holidays

OVERRIDES_TTL = 60.0
_overrides_cache: dict[str, object] = {"at": None, "days": {}}


@lru_cache(maxsize=64)
def _calendar(year: int):
    return holidays.country_holidays("KZ", years=range(year - 1, year + 3))


def clear_overrides_cache() -> None:
    _overrides_cache["at"] = None
    _overrides_cache["days"] = {}


def _overrides() -> dict[datetime.date, bool]:
    """{day: is_working} from the override table, cached in the process."""
    loaded_at = _overrides_cache["at"]
    if loaded_at is None or time.monotonic() - loaded_at > OVERRIDES_TTL:
        from core.models import CalendarOverride

        _overrides_cache["days"] = {
            day: kind == CalendarOverride.Kind.WORKING_DAY
            for day, kind in CalendarOverride.objects.values_list("day", "kind")
        }
        _overrides_cache["at"] = time.monotonic()
    return _overrides_cache["days"]  # type: ignore[return-value]


def is_working_day(day: datetime.date) -> bool:
    overridden = _overrides().get(day)
    if overridden is not None:
        return overridden
    return _calendar(day.year).is_working_day(day)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date that is `days` working days after `start` (start itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 if end <= start)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
