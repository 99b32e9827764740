"""The allocation algorithm: pure, deterministic, free of Django so it can be read and tested alone.

Order inside a region (DOMAIN.md: ties go to the earlier complete request, then the lower number):
  1. the highest priority category the family claims (rank 1 first; no category = last),
  2. the earlier submission,
  3. the lower request number (id) — a stable tie-breaker, so every run gives the same answer.

Filling a region's share, walking that order:
  - requests that already hold places (allocated earlier, or settled) keep them: an allocation is
    never withdrawn by a later run; they take their rank in the order but no new places;
  - a candidate (pending or waitlisted) whose places fit in what is left is allocated;
  - a candidate that does not fit is waitlisted, with its place in the waiting line; then the
    year's rule for a family larger than the places left applies:
      STRICT_ORDER    — nobody behind it is allocated either (no one overtakes a family ahead);
      SKIP_TO_FITTING — smaller families behind it may still take the places left.

The database computes each request's priority (a set-based query); this module only walks the
ordered rows once per region: O(n log n) for the sort, O(n) for the walk.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

NO_CATEGORY_RANK = 32767


class Rule(StrEnum):
    STRICT_ORDER = "strict_order"
    SKIP_TO_FITTING = "skip_to_fitting"


class Outcome(StrEnum):
    HELD = "held"  # already allocated or settled: keeps its places
    ALLOCATED = "allocated"
    WAITLISTED = "waitlisted"


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    region_id: int
    places: int
    priority: int  # rank of the deciding category, NO_CATEGORY_RANK when none
    submitted_at: datetime.datetime
    category_id: int | None = None
    holds_places: bool = False

    @property
    def sort_key(self) -> tuple:
        return (self.priority, self.submitted_at, self.id)


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    region_id: int
    outcome: Outcome
    rank: int
    waitlist_position: int | None
    category_id: int | None


def order(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The deterministic order of one region's requests."""
    return sorted(candidates, key=lambda c: c.sort_key)


def allocate_region(candidates: Iterable[Candidate], *, capacity: int, rule: Rule | str) -> list[Decision]:
    """Decide one region: `capacity` is the region's whole share (held places are subtracted here)."""
    rule = Rule(rule)
    ordered = order(candidates)
    left = capacity - sum(c.places for c in ordered if c.holds_places)
    blocked = False
    position = 0
    decisions = []
    for rank, c in enumerate(ordered, start=1):
        if c.holds_places:
            outcome = Outcome.HELD
        elif not blocked and c.places <= left:
            outcome = Outcome.ALLOCATED
            left -= c.places
        else:
            outcome = Outcome.WAITLISTED
            if rule == Rule.STRICT_ORDER:
                blocked = True
        if outcome == Outcome.WAITLISTED:
            position += 1
        decisions.append(
            Decision(
                c.id, c.region_id, outcome, rank, position if outcome == Outcome.WAITLISTED else None, c.category_id
            )
        )
    return decisions


def allocate(
    candidates: Iterable[Candidate], *, capacity: dict[int, int], rule: Rule | str
) -> dict[int, list[Decision]]:
    """Decide every region: `capacity` maps region id to its share. Regions without a share get no places."""
    by_region: dict[int, list[Candidate]] = {}
    for c in candidates:
        by_region.setdefault(c.region_id, []).append(c)
    return {
        region_id: allocate_region(rows, capacity=capacity.get(region_id, 0), rule=rule)
        for region_id, rows in sorted(by_region.items())
    }
