"""How reports read: CSV in the reader's spreadsheet dialect, XLSX with a named sheet and a heading,
chart labels that stay distinguishable, numbers aligned right."""

import csv
import io

import openpyxl
import pytest
from django import forms
from django.utils import translation

from core.models import Region
from core.reports import (
    REPORTS,
    Chart,
    Column,
    Report,
    chart_label_lines,
    export_bytes,
    register,
    sheet_name,
    svg_bar_chart,
)

ROWS = [{"center": "Центр временного размещения, Уральск", "share": 12.5, "beds": 40}]


class RegionParams(forms.Form):
    year = forms.IntegerField(label="Год", required=False)
    region = forms.ModelChoiceField(label="Регион", queryset=Region.objects.all(), required=False)


def report(**extra):
    return Report(
        slug="t",
        title=extra.pop("title", "Заполненность центров"),
        columns=[
            Column("center", "Центр"),
            Column("share", "Доля", numeric=True),
            Column("beds", "Мест", numeric=True),
        ],
        rows=lambda **kw: ROWS,
        chart=extra.pop("chart", Chart(label="center", values=["beds"])),
        **extra,
    )


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_csv_in_russian_and_kazakh_uses_semicolons_and_decimal_commas(language):
    with translation.override(language):
        content, _ctype = export_bytes(report(), ROWS, "csv")
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == [
        ["Центр", "Доля", "Мест"],
        ["Центр временного размещения, Уральск", "12,5", "40"],
    ]


def test_csv_in_english_keeps_commas_and_decimal_points():
    with translation.override("en"):
        content, _ctype = export_bytes(report(), ROWS, "csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1] == ["Центр временного размещения, Уральск", "12.5", "40"]


@pytest.mark.django_db
def test_xlsx_sheet_is_named_after_the_report_with_title_period_region_and_time_above_the_table():
    region = Region.objects.order_by("pk").first()
    form = RegionParams({"year": "2026", "region": region.pk})
    assert form.is_valid()
    with translation.override("ru"):
        content, _ctype = export_bytes(report(), ROWS, "xlsx", form=form)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Заполненность центров"]
    values = [row[0].value for row in book.active.iter_rows()]
    assert values[:3] == ["Заполненность центров", "Год: 2026", f"Регион: {region}"]
    assert values[3].startswith("Сформирован")
    header = [c.value for c in next(book.active.iter_rows(min_row=6, max_row=6))]
    assert header == ["Центр", "Доля", "Мест"]
    assert [c.value for c in next(book.active.iter_rows(min_row=7, max_row=7))] == [ROWS[0]["center"], 12.5, 40]


@pytest.mark.django_db
def test_xlsx_without_a_region_says_whole_country():
    with translation.override("kk"):
        content, _ctype = export_bytes(report(), ROWS, "xlsx", form=RegionParams({}))
    values = [row[0].value for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(max_row=3)]
    assert values[1] == "Регион: бүкіл ел"  # the form's own label, the value in Kazakh
    assert values[2].startswith("Жасалған уақыты: ")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Quota use: by region [2026]?", "Quota use by region 2026"),
        ("Использование квоты по приоритетной категории", "Использование квоты по приорите"),
        ("'quoted'", "quoted"),
        ("///", "Report"),
    ],
)
def test_sheet_names_are_valid_for_excel(title, expected):
    name = sheet_name(title)
    assert name == expected
    assert len(name) <= 31


def test_long_chart_labels_keep_their_distinct_ends():
    a = chart_label_lines("Центр временного размещения и адаптации кандасов, Уральск")
    b = chart_label_lines("Центр временного размещения и адаптации кандасов, Шымкент")
    assert a != b
    assert all(len(line) <= 34 for line in a + b)
    assert a[-1].endswith("Уральск")


def test_labels_that_would_read_the_same_are_numbered_and_keep_the_full_text_as_tooltip():
    prefix = "Очень длинное название центра временного размещения номер "
    rows = [{"center": prefix + "один" + " x" * 40, "beds": 1}, {"center": prefix + "два" + " x" * 40, "beds": 2}]
    chart = svg_bar_chart(report(), rows)
    shown = [" ".join(line["text"] for line in g["lines"]) for g in chart["groups"]]
    assert len(set(shown)) == 2
    assert [g["full"] for g in chart["groups"]] == [r["center"] for r in rows]


def test_a_chart_whose_rows_end_with_a_total_leaves_it_out_and_scales_to_the_largest_row():
    rows = [{"center": "Уральск", "beds": 30}, {"center": "Шымкент", "beds": 10}, {"center": "Итого", "beds": 40}]
    chart = svg_bar_chart(report(chart=Chart(label="center", values=["beds"], total_last=True)), rows)
    assert [g["full"] for g in chart["groups"]] == ["Уральск", "Шымкент"]
    assert chart["groups"][0]["bars"][0]["w"] == 800 - 260 - 60
    assert svg_bar_chart(report(chart=Chart(label="center", values=["beds"], total_last=True)), rows[-1:]) == {}
    assert len(svg_bar_chart(report(), rows)["groups"]) == 3  # without the flag every row is drawn


@pytest.fixture
def registered():
    r = register(report(title="Test presentation"))
    r.slug = "test-presentation"
    REPORTS["test-presentation"] = REPORTS.pop("t")
    yield r
    REPORTS.pop("test-presentation")


def test_report_page_right_aligns_numeric_columns_and_their_headers(client, analyst, registered):
    client.force_login(analyst)
    html = client.get("/admin/reports/test-presentation/").content.decode()
    assert '<th scope="col" class="numeric">Доля</th>' in html
    assert '<td class="numeric">40</td>' in html
    assert "<td>Центр временного размещения, Уральск</td>" in html
    assert "<title>Центр временного размещения, Уральск</title>" in html
