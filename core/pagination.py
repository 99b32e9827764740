"""Paginators that never count a large table row by row.

A list page needs a number of rows for "N results" and the page links. An exact COUNT(*) reads
every matching row (300,000 status applications: tens of milliseconds; a million persons: far more),
on every page view. `EstimatedCountPaginator` counts exactly only up to THRESHOLD rows (a capped
count: `SELECT count(*) FROM (... LIMIT THRESHOLD + 1)`, bounded cost) and beyond that shows
PostgreSQL's own estimate: `pg_class.reltuples` for a whole table, the planner's row estimate for a
filtered list. Small lists (a caseworker's filter, a search) therefore keep their exact count;
only lists beyond the threshold show an approximate one, which is the most a person reads from it.

Wire it with `paginator = EstimatedCountPaginator` on a ModelAdmin (the changelist then also skips
its second, "full" count when `show_full_result_count = False`), and for DRF with
`django_paginator_class = EstimatedCountPaginator` on the pagination class.
"""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

THRESHOLD = 10_000


def table_estimate(queryset: QuerySet) -> int | None:
    """reltuples of the queryset's table (kept fresh by autovacuum/ANALYZE); None if never analysed."""
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


def planner_estimate(queryset: QuerySet) -> int | None:
    """The planner's row estimate for the queryset (EXPLAIN without ANALYZE: planning only). The
    compiled SQL is explained as a whole, so a query that starts with a WITH clause (pghistory's
    events) is explained too."""
    sql, params = queryset.order_by().query.sql_with_params()
    try:
        with connections[queryset.db].cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT json) " + sql, params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def is_unfiltered(queryset: QuerySet) -> bool:
    query = queryset.query
    return not query.where and not query.distinct and not query.combinator and query.low_mark == 0


def estimated_count(
    queryset: QuerySet, threshold: int = THRESHOLD, *, unfiltered=is_unfiltered, whole_estimate=table_estimate
) -> int:
    """Exact up to `threshold` (a capped count); beyond it PostgreSQL's estimate: `whole_estimate`
    when `unfiltered(queryset)`, else the planner's."""
    if not isinstance(queryset, QuerySet):
        return len(queryset)
    if unfiltered(queryset):
        estimate = whole_estimate(queryset)
        if estimate is not None and estimate > threshold:
            return estimate
    capped = queryset.order_by()[: threshold + 1].count()
    if capped <= threshold:
        return capped
    estimate = planner_estimate(queryset)
    return max(estimate or 0, capped)


class EstimatedCountPaginator(Paginator):
    threshold = THRESHOLD

    @cached_property
    def count(self) -> int:
        return estimated_count(self.object_list, self.threshold)


try:  # the API's page-number pagination with the same counting
    from rest_framework.pagination import PageNumberPagination

    class EstimatedCountPagination(PageNumberPagination):
        django_paginator_class = EstimatedCountPaginator
        page_size = 50
        page_size_query_param = "page_size"
        max_page_size = 200

except ImportError:  # pragma: no cover - DRF is a dependency of the project
    pass
