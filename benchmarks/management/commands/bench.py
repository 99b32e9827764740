"""Measure pages, API calls, reports and jobs against their hand-written SQL (docs/benchmarks.md)."""

from __future__ import annotations

import datetime
import json
import platform
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from benchmarks.runner import (
    DEFAULT_PERSONS,
    SMOKE_PERSONS,
    SMOKE_SMALL_PERSONS,
    ensure_data_set,
    pin_query_counts,
    run_items,
    table,
)


class Command(BaseCommand):
    help = "Benchmark the case file on a generated national data set against the raw-SQL bound."

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=None, help=f"Data set size (default {DEFAULT_PERSONS:,}).")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--repeat", type=int, default=None, help="Runs per item (default 20; smoke 3).")
        parser.add_argument("--smoke", action="store_true", help="Tiny scale for CI: every item once, no targets.")
        parser.add_argument(
            "--here",
            action="store_true",
            help="Measure the configured database as it is (filled by generate_national_data) "
            "instead of the dedicated <name>_bench database.",
        )
        parser.add_argument("--regenerate", action="store_true", help="Load the data set again even if it matches.")
        parser.add_argument("--only", default="", help="Only items whose name contains this text (several: a|b|c).")
        parser.add_argument("--output", default="bench-results/bench.json")
        parser.add_argument(
            "--compare",
            default="",
            help="A results file measured at another size (e.g. the smoke's): query counts are pinned against it.",
        )
        parser.add_argument("--label", default="", help="A label stored with the results (e.g. 'before').")
        parser.add_argument(
            "--conn-max-age",
            type=int,
            default=60,
            help="Persistent connections as in production (config/settings/production.py); 0 reconnects per request.",
        )

    def handle(self, *args, **options):
        smoke = options["smoke"]
        persons = options["persons"] or (SMOKE_PERSONS if smoke else DEFAULT_PERSONS)
        repeat = options["repeat"] or (1 if smoke else 20)
        log = self.stdout.write
        test_name = None
        original_name = connection.settings_dict["NAME"]
        if not options["here"]:
            # A database of its own, so that a benchmark never replaces anyone's case data.
            suffix = "_bench_smoke" if smoke else "_bench"
            connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{original_name}{suffix}"
            test_name = connection.creation.create_test_db(verbosity=1, autoclobber=True, keepdb=True, serialize=False)
        previous_max_age = connection.settings_dict.get("CONN_MAX_AGE", 0)
        connection.settings_dict["CONN_MAX_AGE"] = options["conn_max_age"]
        started = time.monotonic()
        other, other_label = [], ""
        try:
            with override_settings(DEBUG=False):
                if smoke and not options["here"]:
                    # The same items at a smaller size first: their query counts must be equal.
                    ensure_data_set(persons=SMOKE_SMALL_PERSONS, seed=options["seed"], regenerate=True, here=False,
                                    log=log)  # fmt: skip
                    other = run_items(repeat=1, smoke=True, only=options["only"], log=log, warmup=1)
                    other_label = f"{SMOKE_SMALL_PERSONS:,} persons"
                data_set = ensure_data_set(
                    persons=persons,
                    seed=options["seed"],
                    regenerate=options["regenerate"] or (smoke and not options["here"]),
                    here=options["here"],
                    log=log,
                )
                results = run_items(repeat=repeat, smoke=smoke, only=options["only"], log=log, warmup=1 if smoke else 2)
        finally:
            connection.settings_dict["CONN_MAX_AGE"] = previous_max_age
            if test_name and smoke:
                connection.creation.destroy_test_db(original_name, verbosity=1, keepdb=False)
        if options["compare"]:
            compared = json.loads(Path(options["compare"]).read_text())
            other, other_label = compared["items"], f"{compared['data_set']['persons']:,} persons"
            larger = data_set["persons"] >= compared["data_set"]["persons"]
        else:
            larger = True
        grown = pin_query_counts(results, other, other_label=other_label, larger=larger) if other else []
        report = {
            "label": options["label"],
            "conn_max_age": options["conn_max_age"],
            "finished_at": datetime.datetime.now().isoformat(timespec="seconds"),
            "database": test_name or original_name,
            "machine": {"python": platform.python_version(), "cpus": _cpus(), "platform": platform.platform()},
            "smoke": smoke,
            "repeat": repeat,
            "data_set": data_set,
            "items": results,
            "queries_grow": grown,
            "seconds": round(time.monotonic() - started, 1),
        }
        out = Path(options["output"])
        if not out.is_absolute():
            out = Path(settings.BASE_DIR) / out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        log("")
        log(table(report))
        log(f"\nWritten {out} ({report['seconds']} s).")
        missing = [r for r in results if r.get("missing")]
        failed = [r for r in results if r.get("error")]
        problems = []
        if failed:
            problems.append(f"{len(failed)} item(s) failed: {', '.join(r['name'] for r in failed)}")
        if grown:
            problems.append(f"{len(grown)} item(s) make more queries on more data: {'; '.join(grown)}")
        if problems:
            raise CommandError("\n".join(problems))
        if missing and smoke:
            log(f"{len(missing)} item(s) not measurable yet: {', '.join(r['name'] for r in missing)}")


def _cpus() -> int | None:
    import os

    return os.cpu_count()
