"""Deadline sources for the caseworkers' daily digest.

A source is a function `(region_ids, until) -> iterable of DeadlineItem` that returns the open cases
of those regions whose decision is due on or before `until` (overdue ones included). The app that
owns a deadline adds its source in its AppConfig.ready() (oralman: status applications; citizenship:
citizenship applications); this module knows no domain:

    from notifications.deadlines import DeadlineItem, register_deadline_source
    register_deadline_source("citizenship.application", citizenship_deadlines)
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class DeadlineItem:
    kind: Any  # what it is, e.g. _("status application"): lazy, made text in the recipient's language
    reference: str  # the case number shown to the caseworker
    person: str
    due: datetime.date
    region_id: int

    def as_context(self, today: datetime.date) -> dict:
        data = asdict(self)
        data.pop("region_id")
        data["kind"] = str(self.kind)
        data["due"] = self.due.isoformat()
        data["overdue"] = self.due < today
        return data


DeadlineSource = Callable[[list[int], datetime.date], Iterable[DeadlineItem]]
_SOURCES: dict[str, DeadlineSource] = {}


def register_deadline_source(name: str, source: DeadlineSource) -> None:
    """Add (or replace) a named source of decision deadlines."""
    _SOURCES[name] = source


def deadline_sources() -> dict[str, DeadlineSource]:
    return dict(_SOURCES)


def deadlines_by_region(region_ids: list[int], until: datetime.date) -> dict[int, list[DeadlineItem]]:
    """Every source's open deadlines up to `until`, grouped by region, earliest first."""
    result: dict[int, list[DeadlineItem]] = {}
    for source in _SOURCES.values():
        for item in source(region_ids, until):
            result.setdefault(item.region_id, []).append(item)
    for items in result.values():
        items.sort(key=lambda i: (i.due, i.kind, i.reference))
    return result
