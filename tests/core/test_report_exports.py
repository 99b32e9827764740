import threading

import pytest
from celery import shared_task
from django.db.models import Count

from core.models import Region, ReportExport
from core.reports import REPORTS, Chart, Column, Report, register
from core.services import report_export_start


@shared_task(name="tests.which_thread")
def which_thread():
    return threading.get_ident()


def regions_by_kind(*, user, params):
    return list(Region.objects.values("kind").annotate(regions=Count("id")).order_by("kind"))


@pytest.fixture
def regions_report():
    report = register(
        Report(
            slug="test-regions-by-kind",
            title="Regions by kind",
            columns=[Column("kind", "Kind"), Column("regions", "Regions", numeric=True)],
            rows=regions_by_kind,
            chart=Chart(label="kind", values=["regions"]),
        )
    )
    yield report
    REPORTS.pop(report.slug)


def test_report_page_shows_chart_and_table_and_downloads(client, analyst, regions_report):
    client.force_login(analyst)
    page = client.get("/admin/reports/test-regions-by-kind/")
    assert page.status_code == 200
    assert b"<svg" in page.content and b"report-table" in page.content
    csv = client.get("/admin/reports/test-regions-by-kind/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    # Russian, the default language: a semicolon between cells (core.reports.csv_dialect).
    assert "city;3" in csv.content.decode("utf-8-sig") and "region;17" in csv.content.decode("utf-8-sig")
    xlsx = client.get("/admin/reports/test-regions-by-kind/?format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_report_api_returns_rows_and_refuses_other_roles(client, analyst, caseworker, regions_report):
    client.force_login(analyst)
    body = client.get("/api/v1/reports/test-regions-by-kind/").json()
    assert {"kind": "region", "regions": 17} in body["rows"]
    client.force_login(caseworker)
    assert client.get("/api/v1/reports/test-regions-by-kind/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_background_export_runs_on_a_real_worker_and_leaves_a_file(celery_worker_thread, analyst, regions_report):
    from django.db import transaction

    with transaction.atomic():
        export = report_export_start(report_slug=regions_report.slug, params={}, fmt="csv", user=analyst)
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.state in (ReportExport.State.DONE, ReportExport.State.FAILED):
            break
        time.sleep(0.2)
    assert export.state == ReportExport.State.DONE, export.error
    assert export.rows == 2
    assert "region;17" in export.file.read().decode("utf-8-sig")


@pytest.mark.django_db(transaction=True)
def test_the_worker_fixture_really_sends_tasks_through_the_broker(celery_worker_thread):
    from config.celery import app

    assert app.conf.task_always_eager is False
    assert which_thread.delay().get(timeout=20) != threading.get_ident()
