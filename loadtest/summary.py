"""Print a short summary of a locust run from its --csv files: throughput, p95, errors."""

from __future__ import annotations

import csv
import sys


def main(prefix: str) -> int:
    with open(f"{prefix}_stats.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    width = max(len(r["Name"]) for r in rows)
    print(f"{'request':<{width}}  {'count':>7} {'fails':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for r in rows:
        print(
            f"{r['Name']:<{width}}  {r['Request Count']:>7} {r['Failure Count']:>6} {float(r['Requests/s']):>7.1f}"
            f" {r['50%']:>7} {r['95%']:>7} {r['99%']:>7}"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    errors = int(total["Failure Count"])
    print(
        f"\nthroughput {float(total['Requests/s']):.1f} req/s, p95 {total['95%']} ms, "
        f"errors {errors} of {total['Request Count']} ({100 * errors / max(1, int(total['Request Count'])):.2f} %)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "loadtest-results/locust"))
