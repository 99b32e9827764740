"""The load test's script still runs: locust, headless for a few seconds, against the test server
with the users `loadtest_users` creates, answers every request without an error (the real run is
`make loadtest` on the 1M bench database; docs/operations.md)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _locust() -> str | None:
    return os.environ.get("LOCUST") or shutil.which("locust", path=str(Path(sys.executable).parent))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_locustfile_runs_a_mixed_workload_without_errors(live_server, tmp_path):
    locust = _locust()
    if locust is None:
        pytest.fail("locust is not installed: it is pinned in requirements-dev.txt, run `make install`")
    call_command("loadtest_users", stdout=io.StringIO())
    env = {**os.environ, "LOADTEST_REGIONS": "pavlodar,akmola", "LOADTEST_CLERKS": "1"}
    result = subprocess.run(
        [
            locust, "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless", "--host", live_server.url,
            "--users", "10", "--spawn-rate", "10", "--run-time", "4s", "--csv", str(tmp_path / "smoke"),
            "--only-summary", "--stop-timeout", "2",
        ],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    with open(tmp_path / "smoke_stats.csv", newline="") as fh:
        rows = {row["Name"]: row for row in csv.DictReader(fh)}
    total = rows.pop("Aggregated")
    assert int(total["Request Count"]) > 10, result.stderr[-2000:]
    assert int(total["Failure Count"]) == 0, result.stderr[-2000:]
    assert {"login", "applications: list"} <= set(rows), sorted(rows)
    summary = subprocess.run(
        [sys.executable, str(ROOT / "loadtest" / "summary.py"), str(tmp_path / "smoke")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "throughput" in summary and "p95" in summary and "errors 0 of" in summary
