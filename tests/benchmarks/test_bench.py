import datetime
import json

import pytest
from django.core.management import call_command

from benchmarks.generate import Scale, generate
from benchmarks.harness import capture, percentile, run_bound
from benchmarks.runner import run_items, table

TODAY = datetime.date(2026, 11, 24)


def _quiet(_message):
    pass


def _measured(results):
    return [r for r in results if not r.get("missing")]


@pytest.mark.django_db
def test_every_item_runs_and_its_query_count_does_not_grow_with_the_data():
    generate(Scale(persons=300, seed=1, today=TODAY), log=_quiet)
    small = _measured(run_items(repeat=1, smoke=True, only="", log=_quiet, warmup=0))
    generate(Scale(persons=1500, seed=1, today=TODAY), reset=True, log=_quiet)
    large = _measured(run_items(repeat=1, smoke=True, only="", log=_quiet, warmup=0))

    assert small and len(small) == len(large)
    assert not [r for r in small + large if r.get("error")]
    for before, after in zip(small, large, strict=True):
        assert before["queries"] == after["queries"], before["name"]
        assert after["bound_ms_median"] is None or after["bound_ms_median"] > 0


@pytest.mark.django_db
def test_capture_sums_the_queries_of_a_block():
    from oralman.models import Person

    with capture() as captured:
        list(Person.objects.all()[:1])
        list(Person.objects.all()[:1])

    assert captured.count == 2
    assert captured.seconds > 0
    assert run_bound([("SELECT 1", [])]) > 0


def test_percentile_interpolates_between_runs():
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.5) == 3.0
    assert percentile([10.0, 20.0], 0.95) == pytest.approx(19.5)


@pytest.mark.django_db
def test_bench_here_writes_json_and_a_readable_table(tmp_path, capsys):
    call_command("generate_national_data", persons=200, seed=4, today=TODAY)
    out = tmp_path / "bench.json"

    call_command("bench", here=True, smoke=True, persons=200, output=str(out), only="api:")

    report = json.loads(out.read_text())
    assert report["data_set"]["persons"] == 200
    assert {r["name"] for r in report["items"]} >= {"api: one application (caseworker)"}
    assert all("queries" in r for r in report["items"] if not r.get("missing"))
    assert "DB/SQL" in table(report)
    assert "api: applications, first page (caseworker)" in capsys.readouterr().out
