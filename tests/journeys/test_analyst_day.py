"""The ministry's day (Kazakh UI for the analyst): the administrator starts the quota allocation
(analysts are read-only: the start is refused to them), the analyst reads the run and the quota
report in Kazakh and downloads it as XLSX."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_day(demo_data, journey):
    from quotas.models import AllocationRun

    j = journey
    j.begin("administrator starts the allocation")
    j.login("admin", "kandas-admin-2026")
    j.nav("Запуски распределения")
    j.link(re.compile("Запустить"))
    j.select("Год квоты:", j.page.get_by_label("Год квоты:").locator("option").all_inner_texts()[1])
    j.shot("allocation-start")
    j.button("Запустить")
    j.shot("allocation-run")
    run = AllocationRun.objects.latest("id")
    run.refresh_from_db()
    assert run.status == "done", run.status
    j.logout()

    j.begin("analyst reads the run in Kazakh")
    j.login("ministry", "kandas-ministry-2026")
    with j.page.expect_navigation():
        j.clicks += 1
        j.page.locator("select[name=language]").select_option("kk")
    j.shot("home-kk")
    assert j.page.locator("html").get_attribute("lang") == "kk"
    j.nav("Бөлуді іске қосулар")
    assert not j.page.locator("a[href$='/allocationrun/start/']").count(), "analysts cannot start a run"
    j.row_link(str(run.quota_year.year))
    j.shot("run-kk")

    j.begin("quota report in Kazakh")
    j.click(j.page.get_by_role("link", name=re.compile("Есептер|ЕСЕПТЕР", re.I)).first)
    j.link("Квотаның өңірлер бойынша пайдаланылуы")
    j.shot("quota-report-kk")
    download = j.download(j.page.get_by_role("link", name=re.compile("XLSX")).first)
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    with open(download.path(), "rb") as raw:
        book = load_workbook(io.BytesIO(raw.read()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) > 2, rows
    print(j.counts())
