import datetime
import json

import pytest
from django.core.management import call_command

from benchmarks.generate import Scale, generate
from benchmarks.harness import TooManyQueries, capture, percentile, run_bound
from benchmarks.runner import pin_query_counts, run_items, table

TODAY = datetime.date(2026, 11, 24)


def _quiet(_message):
    pass


def _measured(results):
    return [r for r in results if not r.get("missing")]


@pytest.mark.django_db
def test_every_item_runs_and_its_query_count_does_not_grow_with_the_data():
    generate(Scale(persons=300, seed=1, today=TODAY), log=_quiet)
    small = _measured(run_items(repeat=1, smoke=True, only="", log=_quiet, warmup=1))
    generate(Scale(persons=1500, seed=1, today=TODAY), reset=True, log=_quiet)
    large = _measured(run_items(repeat=1, smoke=True, only="", log=_quiet, warmup=1))

    # (an item with no row to open at one size is "missing" there: the lists need not be equal)
    assert len(small) > 100 and len(large) >= len(small) - 5
    assert not [(r["name"], r["error"]) for r in small + large if r.get("error")]
    assert pin_query_counts(large, small, other_label="300 persons") == []
    assert all(after["bound_ms_median"] is None or after["bound_ms_median"] > 0 for after in large)


@pytest.mark.django_db
def test_the_bench_opens_every_admin_page_report_and_api_resource_as_a_role():
    from django.contrib import admin

    from benchmarks.items_pages import COVERED_ADMIN_LISTS, api_resources
    from core.reports import REPORTS

    generate(Scale(persons=300, seed=1, today=TODAY), log=_quiet)
    names = [r["name"] for r in run_items(repeat=1, smoke=True, only="", log=_quiet, warmup=0)]

    for model in admin.site._registry:
        label = model._meta.label_lower
        listed = any(n.startswith(f"admin: {label} list (") for n in names)
        assert listed or label in {covered for covered, _role in COVERED_ADMIN_LISTS}, model
        assert any(n.startswith(f"admin: {label} change page (") for n in names) or "pghistory" in label, model
    for slug in REPORTS:
        assert any(n.startswith(f"page: report {slug} (") for n in names), slug
    for basename, _viewset in api_resources():
        assert any(n.startswith(f"api: {basename} ") for n in names) or basename == "status-application", basename
    for role in ("caseworker", "clerk", "analyst", "administrator"):
        assert f"page: admin home ({role})" in names
    assert "page: center desk (clerk)" in names
    assert "page: public verification (anonymous)" in names


def test_a_query_count_that_grows_with_the_data_is_reported():
    small = [{"name": "admin: x list (analyst)", "queries": 8, "pinned_queries": 8},
             {"name": "admin: x change page (analyst)", "queries": 12, "pinned_queries": 12},
             {"name": "admin: search 'Абай' (caseworker)", "queries": 8, "pinned_queries": 8}]  # fmt: skip
    large = [{"name": "admin: x list (analyst)", "queries": 9, "pinned_queries": 9},
             {"name": "admin: x change page (analyst)", "queries": 14, "pinned_queries": 14},
             {"name": "admin: search 'Нұрлан' (caseworker)", "queries": 9, "pinned_queries": 8}]  # fmt: skip

    grown = pin_query_counts(large, small, other_label="300 persons")

    # a list: one more query is growth; a change page shows another row (a few queries more are the row);
    # the planner's row estimate (queries - pinned) is the paginator's constant step, not growth
    assert grown == ["admin: x list (analyst) (8 → 9)"]
    assert large[2]["queries_other"] == 8 and not large[2].get("queries_grow")


@pytest.mark.django_db
def test_a_request_is_stopped_after_the_query_cap():
    from oralman.models import Person

    with pytest.raises(TooManyQueries), capture(limit=2):
        for _ in range(3):
            list(Person.objects.all()[:1])


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
