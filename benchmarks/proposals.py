"""Performance changes proposed for oralman (owned by the lead), applied only for a measurement.

`manage.py bench --with-proposals` creates PROPOSED_INDEXES on the benchmark database with the exact
DDL Django's migration would emit (schema_editor.add_index of the same Index objects), wires the
helpers into the registered admin and API classes for the run, and drops the indexes again at the
end, so that the database stays in step with the migrations. To adopt them, copy the Index objects
into the models' Meta.indexes and the one-line wirings listed in WIRING (docs/benchmarks.md).
"""

from __future__ import annotations

from contextlib import contextmanager

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import connection, models
from django.db.models.functions import Upper


def _trigram_upper(field: str, name: str) -> GinIndex:
    # Django's icontains on PostgreSQL is UPPER(col) LIKE UPPER('%term%'): only an index on the same
    # expression serves it (the existing gin_trgm_ops indexes on the bare column serve ILIKE only).
    return GinIndex(OpClass(Upper(field), name="gin_trgm_ops"), name=name)


PROPOSED_INDEXES: dict[str, list[models.Index]] = {
    "oralman.Person": [
        _trigram_upper("surname", "person_surname_up_trgm"),
        _trigram_upper("given_name", "person_given_up_trgm"),
        _trigram_upper("surname_latin", "person_surname_lat_up_trgm"),
        _trigram_upper("given_name_latin", "person_given_lat_up_trgm"),
        models.Index(Upper("passport_number"), name="person_passport_up_idx"),  # "=passport_number" is iexact
    ],
    "oralman.KandasStatus": [
        models.Index(Upper("certificate_number"), name="status_certificate_up_idx"),  # "=status__certificate_number"
    ],
}

WIRING = [
    "core/admin_base.py ScopedAdmin: paginator = core.pagination.EstimatedCountPaginator",
    "core/admin_base.py ScopedAdmin: add core.search.IndexedSearchAdminMixin first in the bases",
    "core/api/pagination.py StandardPagination: django_paginator_class = core.pagination.EstimatedCountPaginator",
    "config/settings/base.py REST_FRAMEWORK DEFAULT_FILTER_BACKENDS: rest_framework.filters.SearchFilter -> "
    "core.search.IndexedSearchFilter",
]


def _existing_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        return {row[0] for row in cursor.fetchall()}


@contextmanager
def applied(log=print):
    """Indexes created (and dropped afterwards), helpers wired into the live classes."""
    from django.apps import apps

    from core.pagination import EstimatedCountPaginator
    from core.search import IndexedSearchAdminMixin, IndexedSearchFilter

    existing = _existing_indexes()
    created: list[tuple[type[models.Model], models.Index]] = []
    for label, indexes in PROPOSED_INDEXES.items():
        model = apps.get_model(label)
        for index in indexes:
            if index.name in existing:
                continue
            log(f"  creating index {index.name} on {model._meta.db_table} ...")
            with connection.schema_editor() as editor:
                editor.add_index(model, index)
            created.append((model, index))
    if created:
        with connection.cursor() as cursor:
            for table in {m._meta.db_table for m, _ in created}:
                cursor.execute(f"ANALYZE {table}")

    patched: list[tuple[object, str, object]] = []

    def patch(obj, attr, value):
        patched.append((obj, attr, obj.__dict__.get(attr, _MISSING)))
        setattr(obj, attr, value)

    from core.admin_base import ScopedAdmin

    patch(ScopedAdmin, "paginator", EstimatedCountPaginator)
    patch(ScopedAdmin, "get_search_results", IndexedSearchAdminMixin.get_search_results)
    from rest_framework.filters import SearchFilter

    from core.api.pagination import StandardPagination

    patch(StandardPagination, "django_paginator_class", EstimatedCountPaginator)
    from oralman.api import views as oralman_views

    for view in vars(oralman_views).values():
        backends = getattr(view, "filter_backends", None)
        if isinstance(view, type) and backends and SearchFilter in backends:
            patch(view, "filter_backends", [IndexedSearchFilter if b is SearchFilter else b for b in backends])
    try:
        yield [index.name for _, index in created]
    finally:
        for obj, attr, old in reversed(patched):
            if old is _MISSING:
                delattr(obj, attr)
            else:
                setattr(obj, attr, old)
        for model, index in created:
            with connection.schema_editor() as editor:
                editor.remove_index(model, index)


_MISSING = object()
