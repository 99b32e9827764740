"""The national data set generator: one function per app, registered here, run in app order.

Each generator declares the tables it fills; the runner truncates them (with --reset), hands them
to the BulkLoader (indexes, foreign keys and audit triggers off during the load), calls the
generators in order with one shared context, rebuilds everything, commits and runs VACUUM ANALYZE.
A generator whose app has no models yet (apps being built in parallel) is skipped.

Determinism: each generator draws from its own `random.Random` seeded with (seed, app), so the same
seed gives the same rows, and adding a generator for a new app does not change the others' rows.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction

from benchmarks.generate.loader import BulkLoader


@dataclass
class Scale:
    persons: int
    families: int | None = None
    applications: int | None = None
    seed: int = 1
    today: datetime.date = field(default_factory=datetime.date.today)
    options: dict = field(default_factory=dict)  # per-app knobs, e.g. {"quota_requests": 100_000}

    def __post_init__(self) -> None:
        if self.families is None:
            self.families = max(1, round(self.persons * 0.3))
        if self.applications is None:
            self.applications = max(1, round(self.persons * 0.3))
        self.families = min(self.families, self.persons)


@dataclass
class Context:
    scale: Scale
    loader: BulkLoader
    log: Callable[[str], None]
    shared: dict = field(default_factory=dict)  # facts one generator leaves for the next

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.scale.seed}:{name}")


@dataclass
class Generator:
    name: str
    tables: list[str]  # model labels, "app_label.Model"
    func: Callable[[Context], dict[str, int]]
    order: int = 100  # run order: persons and families first, the apps that derive from them after

    def available(self) -> bool:
        try:
            for label in self.tables:
                apps.get_model(label)
        except LookupError:
            return False
        return True

    def db_tables(self) -> list[str]:
        return [apps.get_model(label)._meta.db_table for label in self.tables]


REGISTRY: list[Generator] = []
# Bump when the shape of the generated data changes: `bench` then regenerates its data set.
GENERATOR_VERSION = "2"


def generator(name: str, *, tables: list[str], order: int = 100):
    """Register a generator; they run by `order` (oralman 10 first: the others derive from its rows)."""

    def register(func):
        REGISTRY.append(Generator(name, tables, func, order))
        return func

    return register


def _load_builtin_generators() -> None:
    from benchmarks.generate import parts  # noqa: F401 - registers the per-app generators


def active_generators() -> list[Generator]:
    _load_builtin_generators()
    return sorted((g for g in REGISTRY if g.available()), key=lambda g: (g.order, g.name))


def existing_rows(tables: list[str]) -> int:
    with connection.cursor() as cursor:
        total = 0
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            total += int(cursor.fetchone()[0])
        return total


def generate(scale: Scale, *, reset: bool = False, log=print, only: list[str] | None = None) -> dict:
    """Fill the database; returns {"rows": {table: n}, "seconds": s, "rows_per_second": r}.

    `only`: run just these generators on top of a data set already loaded (the parts added since it
    was generated, e.g. a new app's generator); the data set's record then lists every part and the
    rows of all. Each generator draws from its own seed and derives from the rows of the earlier
    parts, so adding a part gives the same rows as generating everything again."""
    generators = active_generators()
    previous = None
    if only is not None:
        from benchmarks.models import GeneratedDataSet

        previous = GeneratedDataSet.objects.first()
        generators = [g for g in generators if g.name in only]
    tables = [t for g in generators for t in g.db_tables()]
    if existing_rows(tables) and not reset:
        raise ValueError("The database already holds case data; pass --reset to replace it.")
    log(
        f"Generating {scale.persons:,} persons, {scale.families:,} families, {scale.applications:,} "
        f"status applications (seed {scale.seed}, today {scale.today}); parts: {', '.join(g.name for g in generators)}"
    )
    started = time.monotonic()
    counts: dict[str, int] = {}
    with transaction.atomic():
        if reset:
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        loader = BulkLoader(connection, log=log)
        loader.prepare(tables)
        context = Context(scale=scale, loader=loader, log=log)
        try:
            for gen in generators:
                part_started = time.monotonic()
                produced = gen.func(context)
                loader._drain()
                counts.update(produced)
                log(f"{gen.name}: {sum(produced.values()):,} rows in {time.monotonic() - part_started:.1f} s")
            load_seconds = time.monotonic() - started
            log(f"COPY busy {loader.copy_seconds:.1f} s; generator waited {loader.wait_seconds:.1f} s for it")
            log("Rebuilding indexes and foreign keys ...")
            loader.restore()
        finally:
            loader.close()
    total_seconds = time.monotonic() - started
    # VACUUM sets the visibility map (index-only scans); inside a test's transaction only ANALYZE.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    log(f"{command} ...")
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {table}")
    rows = sum(counts.values())
    parts = ",".join(g.name for g in generators)
    record_counts, record_seconds = counts, total_seconds
    if previous is not None:
        parts = ",".join(g.name for g in active_generators() if g.name in {*previous.parts.split(","), *only})
        record_counts = {**previous.rows, **counts}
        record_seconds = previous.seconds + total_seconds
    result = {
        "rows": counts,
        "total_rows": rows,
        "load_seconds": round(load_seconds, 2),
        "seconds": round(total_seconds, 2),
        "rows_per_second": round(rows / total_seconds) if total_seconds else None,
        "seed": scale.seed,
        "persons": scale.persons,
    }
    from benchmarks.models import GeneratedDataSet

    GeneratedDataSet.objects.create(
        persons=scale.persons, families=scale.families, applications=scale.applications, seed=scale.seed,
        today=scale.today, version=GENERATOR_VERSION, parts=parts, rows=record_counts,
        seconds=round(record_seconds, 2),
        rows_per_second=round(sum(record_counts.values()) / record_seconds) if record_seconds else 0,
    )  # fmt: skip
    log(
        f"Done: {rows:,} rows in {total_seconds:.1f} s ({result['rows_per_second']:,} rows/s including "
        f"index builds; {rows / load_seconds:,.0f} rows/s for the COPY phase)"
    )
    return result
