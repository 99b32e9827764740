"""Timing machinery: database time of a request (sum of its queries, via an execute wrapper), the
hand-written SQL bound run on the same connection, medians and 95th percentiles."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

# Queries that serve the framework (session, user, role), not the page's data.
FRAMEWORK_TABLES = ("django_session", "core_user", "auth_group", "auth_permission", "core_user_groups")


@dataclass
class Captured:
    queries: list[tuple[str, float]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.queries)

    @property
    def seconds(self) -> float:
        return sum(d for _, d in self.queries)

    @property
    def data_seconds(self) -> float:
        return sum(d for sql, d in self.queries if not _is_framework(sql))

    @property
    def pinned_count(self) -> int:
        """Queries that must not grow with the data: all but PostgreSQL's row estimates, which the
        estimated paginator asks only for lists beyond its exact-count threshold (one query, constant),
        and the session's refresh (once in a while, whatever the page)."""
        return sum(1 for sql, _ in self.queries if not _is_estimate(sql))

    @property
    def data_count(self) -> int:
        return sum(1 for sql, _ in self.queries if not _is_framework(sql))


def _is_estimate(sql: str) -> bool:
    """A row estimate of the paginator, or the session's periodic refresh (written when it nears expiry)."""
    head = sql.lstrip()[:40].upper()
    return head.startswith("EXPLAIN") or "FROM pg_class WHERE oid" in sql or head.startswith('UPDATE "DJANGO_SESSION"')


def _is_framework(sql: str) -> bool:
    head = sql.split(" WHERE ", 1)[0]
    return any(f'"{table}"' in head for table in FRAMEWORK_TABLES) or sql.startswith(("SAVEPOINT", "RELEASE"))


# A request that makes more queries than this is stopped (a query per row of a national table would
# otherwise run for minutes) and reported as an error naming the count.
QUERY_CAP = 10_000
SLOW_RUN_SECONDS = 5.0


class TooManyQueries(Exception):
    pass


@contextmanager
def capture(limit: int | None = None):
    """Record (sql, seconds) of every query on the default connection inside the block; with `limit`,
    the query after the limit raises TooManyQueries instead of running."""
    captured = Captured()

    def wrapper(execute, sql, params, many, context):
        if limit is not None and len(captured.queries) >= limit:
            raise TooManyQueries(f"more than {limit:,} queries (stopped); the last: {' '.join(sql.split())[:300]}")
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.queries.append((sql, time.perf_counter() - started))

    with connection.execute_wrapper(wrapper):
        yield captured


def run_bound(statements: list[tuple[str, list]]) -> float:
    """Seconds the hand-written SQL takes, timed the same way as Django's queries (execute, which
    with psycopg2 includes the transfer of the whole result) plus reading the rows."""
    total = 0.0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # bypass Django's debug wrapper: the bound pays no framework cost
        for sql, params in statements:
            started = time.perf_counter()
            raw.execute(sql, params)
            raw.fetchall()
            total += time.perf_counter() - started
    return total


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


@dataclass
class Measurement:
    wall: list[float] = field(default_factory=list)
    db: list[float] = field(default_factory=list)
    data_db: list[float] = field(default_factory=list)
    bound: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    data_queries: list[int] = field(default_factory=list)
    pinned_queries: list[int] = field(default_factory=list)
    last_sql: list[tuple[str, float]] = field(default_factory=list)

    def summary(self) -> dict:
        bound = statistics.median(self.bound) if self.bound else None
        db = statistics.median(self.db) if self.db else None
        data_db = statistics.median(self.data_db) if self.data_db else None
        return {
            "runs": len(self.wall),
            "queries": max(self.queries) if self.queries else None,
            "data_queries": max(self.data_queries) if self.data_queries else None,
            "pinned_queries": max(self.pinned_queries) if self.pinned_queries else None,
            "wall_ms_median": ms(statistics.median(self.wall)) if self.wall else None,
            "wall_ms_p95": ms(percentile(self.wall, 0.95)) if self.wall else None,
            "db_ms_median": ms(db) if db is not None else None,
            "data_db_ms_median": ms(data_db) if data_db is not None else None,
            "bound_ms_median": ms(bound) if bound is not None else None,
            "db_ratio": round(db / bound, 2) if bound and db is not None else None,
            "data_db_ratio": round(data_db / bound, 2) if bound and data_db is not None else None,
            "sql": [{"ms": ms(d), "sql": " ".join(q.split())[:400]} for q, d in self.last_sql],
        }


def measure(
    action: Callable[[], object],
    bound: list[tuple[str, list]] | None,
    *,
    repeat: int,
    warmup: int = 2,
    check: Callable[[object], None] | None = None,
    budget_seconds: float = 60.0,
) -> Measurement:
    """Run `action` (a request or a function) and its bound alternately, `repeat` times each; a slow
    item stops after `budget_seconds` once it has 5 runs, and an item slower than SLOW_RUN_SECONDS
    a run after 2 runs (the figures are then over fewer runs)."""
    result = Measurement()
    started = time.monotonic()
    for _ in range(warmup):
        with capture(limit=QUERY_CAP):
            outcome = action()
        if check:
            check(outcome)
        if bound:
            run_bound(bound)
    for run in range(repeat):
        if run >= 5 and time.monotonic() - started > budget_seconds:
            break
        # A request of many seconds is measured twice, not five times: its figure is what matters.
        if run >= 2 and min(result.wall) > SLOW_RUN_SECONDS:
            break
        with capture(limit=QUERY_CAP) as captured:
            run_started = time.perf_counter()
            action()
            result.wall.append(time.perf_counter() - run_started)
        result.db.append(captured.seconds)
        result.data_db.append(captured.data_seconds)
        result.queries.append(captured.count)
        result.data_queries.append(captured.data_count)
        result.pinned_queries.append(captured.pinned_count)
        result.last_sql = captured.queries
        if bound:
            result.bound.append(run_bound(bound))
    return result
