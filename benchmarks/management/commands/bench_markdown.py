"""The table of docs/benchmarks.md from bench results: one row per item, "before → after" when two files are
given (then only the items measured in both)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from benchmarks.runner import item_key

SLOW_MS = 300


def _num(value, suffix="") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}{suffix}" if value >= 10 else f"{value:,.2f}{suffix}"
    return f"{value:,}{suffix}"


def _cells(record: dict | None) -> list[str]:
    if record is None:
        return ["—"] * 7
    if record.get("missing"):
        return ["missing"] + [""] * 6
    if record.get("error"):
        error = record["error"]
        short = "over 10,000 queries (stopped)" if "TooManyQueries" in error else "ERROR"
        return [short] + [""] * 6
    grows = " ↑" if record.get("queries_grow") else ""
    return [
        _num(record.get("queries_other")),
        _num(record.get("queries")) + grows,
        _num(record.get("db_ms_median")),
        _num(record.get("bound_ms_median")),
        _num(record.get("db_ratio"), "x"),
        _num(record.get("wall_ms_median")),
        _num(record.get("wall_ms_p95")),
    ]


class Command(BaseCommand):
    help = "Print the markdown table of one bench result, or of two (before → after)."

    def add_arguments(self, parser):
        parser.add_argument("before")
        parser.add_argument("after", nargs="?")

    def handle(self, *args, **options):
        before = json.loads(Path(options["before"]).read_text())
        after = json.loads(Path(options["after"]).read_text()) if options["after"] else None
        later = {item_key(r["name"]): r for r in after["items"]} if after else {}
        small = next((r["other_size"] for r in before["items"] if r.get("other_size")), "the other size")
        size = f"{before['data_set']['persons']:,} persons"
        header = ["item", f"queries at {small}", f"queries at {size}", "DB ms", "SQL bound ms", "DB / SQL",
                  "p50 ms", "p95 ms"]  # fmt: skip
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        slow = []
        for record in before["items"]:
            cells = _cells(record)
            if after:
                other = later.get(item_key(record["name"]))
                if other is None:  # not measured again: the "after" table lists what was
                    continue
                cells = [f"{b} → {a}" if b != a else b for b, a in zip(cells, _cells(other), strict=True)]
            lines.append(f"| {record['name']} | " + " | ".join(cells) + " |")
            final = later.get(item_key(record["name"])) if after else record
            p95 = (final or {}).get("wall_ms_p95")
            if (final or {}).get("error") or (p95 is not None and p95 > SLOW_MS and record.get("group") != "job"):
                slow.append(record["name"])
        self.stdout.write("\n".join(lines))
        self.stdout.write(f"\nOver {SLOW_MS} ms at the 95th percentile (or failing): {len(slow)}")
        for name in slow:
            self.stdout.write(f"- {name}")
