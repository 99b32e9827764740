"""The events page (pghistory's aggregate of every event table) without reading whole tables.

pghistory's `MiddlewareEvents` query is a UNION ALL of one sub-select per event table. Each sub-select
computes, for every event of its table, the row as JSON, the previous event of the same object (a
correlated subquery) and the context; only then does the page sort by time and keep 100 rows. At
1,000,000 persons that is every event of the country on every view: 70 s for the unfiltered page,
7.8 s filtered to one table (docs/benchmarks.md, issue 16).

`NewestFirstEventsQuery` keeps pghistory's SQL and adds one restriction to each table's sub-select
when the page asks for the newest events: only the table's newest `offset + limit` events by primary
key (`pgh_id IN (SELECT pgh_id ... ORDER BY pgh_id DESC LIMIT n)`, a backward scan of the primary
key), filtered by the same label as the page. The diff, the previous event and the context are then
computed for at most n rows per table, and the sort across tables runs over those.

Within one table the events are taken in the order they were written (`pgh_id`), across tables by
`pgh_created_at`, the time their transaction began. The two orders differ only for transactions that
overlapped (an event written later by a transaction that began earlier): such events may show a few
seconds out of time order, never missing. Any filter this module does not understand (a future
filter, an object's history through tracks/references, which is already selective by its index)
leaves pghistory's query as it is.

The count shown above the page is the sum of the tables' `pg_class.reltuples` when the page is not
filtered, and a capped count otherwise (`core.pagination`).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models.lookups import Exact
from django.utils.functional import cached_property
from pghistory.admin import EventsAdmin
from pghistory.models import EventsQuery, EventsQueryCompiler, EventsQuerySet

from core.pagination import THRESHOLD, estimated_count

NEWEST_ORDERING = "-pgh_created_at"


def _label_filter(where) -> tuple[bool, list[str]]:
    """(pushable, labels): the page's WHERE is pushable into each table when it is empty or only
    `pgh_label = ...` conditions joined by AND."""
    labels = []
    if where.negated or (where.children and where.connector != "AND"):
        return False, []
    for child in where.children:
        if not isinstance(child, Exact) or getattr(child.lhs, "target", None) is None:
            return False, []
        if child.lhs.target.name != "pgh_label" or not isinstance(child.rhs, str):
            return False, []
        labels.append(child.rhs)
    return True, labels


class NewestFirstEventsCompiler(EventsQueryCompiler):
    @cached_property
    def _newest(self) -> tuple[int, str] | None:
        """(limit, label condition) of the restriction, or None when it does not apply; worked out
        once per query, not once per event table."""
        query = self.query
        if query.high_mark is None or self.tracks or self.references:
            return None
        ordering = list(query.order_by or ())
        if not ordering or ordering[0] != NEWEST_ORDERING:
            return None
        pushable, labels = _label_filter(query.where)
        if not pushable:
            return None
        label_sql = ""
        if labels:
            with self.connection.cursor() as cursor:
                quoted = [cursor.mogrify("pgh_label = %s", [label]) for label in labels]
            quoted = [q.decode() if isinstance(q, bytes) else q for q in quoted]  # psycopg2 gives bytes
            # The compiled SQL is formatted with the query's parameters once more: a literal % doubles.
            label_sql = "WHERE " + " AND ".join(quoted).replace("%", "%%")
        return int(query.high_mark), label_sql

    def _get_where_clause(self, event_model):
        where = super()._get_where_clause(event_model)
        if self._newest is None:
            return where
        limit, label_sql = self._newest
        table = self.connection.ops.quote_name(event_model._meta.db_table)
        newest = f"_event.pgh_id IN (SELECT pgh_id FROM {table} {label_sql} ORDER BY pgh_id DESC LIMIT {limit})"
        return f"{where} AND {newest}" if where else f"WHERE {newest}"


class NewestFirstEventsQuery(EventsQuery):
    def get_compiler(self, *args, **kwargs):
        compiler = super().get_compiler(*args, **kwargs)
        compiler.__class__ = NewestFirstEventsCompiler
        return compiler


def newest_first(queryset: EventsQuerySet) -> EventsQuerySet:
    """The same events queryset, compiled with the newest-first restriction."""
    clone = queryset._clone()
    clone.query.__class__ = NewestFirstEventsQuery
    return clone


def event_table_estimate(queryset: EventsQuerySet) -> int | None:
    """The sum of reltuples of the event tables the queryset reads (None if one was never analysed)."""
    compiler = queryset.query.get_compiler(queryset.db)
    tables = [model._meta.db_table for model in compiler.across]
    if not tables:
        return 0
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT min(reltuples)::bigint, sum(greatest(reltuples, 0))::bigint FROM pg_class "
            "WHERE oid = ANY(%s::regclass[])",
            [tables],
        )
        lowest, total = cursor.fetchone()
    return None if lowest is None or lowest < 0 else int(total)


def event_count(queryset: EventsQuerySet, threshold: int = THRESHOLD) -> int:
    """The number shown above the events page (core.pagination.estimated_count): the tables'
    estimate when unfiltered, else exact up to the threshold and the planner's estimate beyond."""

    def unfiltered(events):
        return not events.query.where and not events.query.tracks and not events.query.references

    return estimated_count(queryset, threshold, unfiltered=unfiltered, whole_estimate=event_table_estimate)


class EventsPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        return event_count(self.object_list)


class NewestFirstEventsAdmin(EventsAdmin):
    """pghistory's events admin (same URL, filters and columns) with the newest-first query, the
    estimated count and the user of each event read in the same query."""

    paginator = EventsPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # a count per label and per table would read every event
    list_select_related = ["user"]

    def get_queryset(self, request):
        return newest_first(super().get_queryset(request))
