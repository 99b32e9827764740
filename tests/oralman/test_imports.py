"""Importing arrival lists: the dry run, confirmation, idempotent re-import, bad lines, the worker."""

from __future__ import annotations

import datetime
import io
import time

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import DomainError
from oralman import imports
from oralman.models import Document, ExternalReference, Family, ImportBatch, ImportRow, Person
from tests.factories import PersonFactory, region

pytestmark = pytest.mark.django_db


def sheet(rows: list[dict], *, language: str = "ru", fmt: str = "xlsx") -> SimpleUploadedFile:
    """An arrival list made from the downloadable template (headings in ``language``)."""
    template = tablib.Dataset().load(io.BytesIO(imports.template("xlsx", language)), format="xlsx")
    data = tablib.Dataset(headers=template.headers)
    keys = [c.key for c in imports.COLUMNS]
    for row in rows:
        data.append([row.get(key, "") for key in keys])
    content = data.export("xlsx") if fmt == "xlsx" else data.export("csv", delimiter=";").encode("utf-8-sig")
    return SimpleUploadedFile(f"arrivals.{fmt}", content)


def line(external_id: str, **fields) -> dict:
    return {
        "external_id": external_id,
        "surname": "Серікбаев",
        "given_name": "Ерлан",
        "birth_date": "01.02.1975",
        "sex": "M",
        "country_of_origin": "CN",
        **fields,
    }


def start(actor, upload, **kwargs) -> ImportBatch:
    batch = imports.import_start(
        actor=actor, region=region("pavlodar"), source="embassy-beijing", uploaded_file=upload, **kwargs
    )
    return imports.import_check(batch=ImportBatch.objects.get(pk=batch.pk))


def outcomes(batch) -> dict[int, tuple[str, str]]:
    return {r.line: (r.outcome, r.message) for r in ImportRow.objects.filter(batch=batch)}


@pytest.fixture
def existing(db):
    return PersonFactory(
        surname="Жұмабаев", given_name="Нұрлан", birth_date=datetime.date(1980, 3, 15), iin="800315300012"
    )


def test_the_dry_run_says_what_each_line_would_do_and_writes_nothing(caseworker, existing):
    upload = sheet(
        [
            line("A-1"),
            line("A-2", surname="Иванов", iin="800315300012", birth_date="15.03.1980"),
            line("A-3", surname="Жумабаев", given_name="Нурлан", birth_date="15.03.1980"),
            line("A-4", birth_date="31.02.1975"),
            line("A-5", country_of_origin="XX"),
        ]
    )
    persons_before = Person.objects.count()
    batch = start(caseworker, upload)
    assert batch.state == "checked"
    found = outcomes(batch)
    assert found[2] == ("new", "")
    assert found[3] == ("match", f"тот же ИИН: дело № {existing.pk}")
    assert found[4][0] == "possible_duplicate" and f"дело № {existing.pk}" in found[4][1] and "100 %" in found[4][1]
    assert found[5] == ("error", "дата рождения: 31.02.1975 — не дата (дд.мм.гггг).")
    assert found[6][0] == "error" and "XX" in found[6][1]
    assert Person.objects.count() == persons_before


def test_headings_in_kazakh_and_a_csv_import_too(caseworker):
    batch = start(caseworker, sheet([line("K-1")], language="kk", fmt="csv"))
    assert outcomes(batch) == {2: ("new", "")}


def test_a_file_with_bad_lines_is_not_imported_unless_the_user_chose_so(caseworker):
    batch = start(caseworker, sheet([line("A-1"), line("A-2", sex="X")]))
    with pytest.raises(DomainError, match="1"):
        imports.import_confirm(batch=batch, actor=caseworker)
    assert not Person.objects.filter(surname="Серікбаев").exists()


def test_a_partial_import_takes_the_good_lines_and_reports_the_bad(caseworker):
    batch = start(caseworker, sheet([line("A-1"), line("A-2", sex="X")]), accept_partial=True)
    imports.import_confirm(batch=batch, actor=caseworker)
    batch = imports.import_apply(batch=ImportBatch.objects.get(pk=batch.pk))
    assert batch.state == "done"
    assert Person.objects.filter(surname="Серікбаев").count() == 1
    assert batch.counts == {"new": 1, "error": 1}


def test_importing_the_same_file_twice_changes_nothing(caseworker):
    rows = [
        line("A-1", family_external_id="F-1"),
        line("A-2", given_name="Айгүл", sex="F", family_external_id="F-1", relationship="spouse"),
    ]
    for _ in range(2):
        batch = start(caseworker, sheet(rows))
        imports.import_confirm(batch=batch, actor=caseworker)
        batch = imports.import_apply(batch=ImportBatch.objects.get(pk=batch.pk))
        assert batch.state == "done", batch.error
    assert batch.counts == {"already_imported": 2}
    assert Person.objects.filter(surname="Серікбаев").count() == 2
    assert Family.objects.count() == 1
    assert ExternalReference.objects.filter(source="embassy-beijing").count() == 3  # two persons, one family


def test_a_family_with_a_document_is_imported_whatever_the_order_of_lines(caseworker):
    rows = [
        line(
            "C-1", given_name="Айгүл", sex="F", family_external_id="F-9", relationship="child", birth_date="01.01.2010"
        ),
        line(
            "C-2",
            family_external_id="F-9",
            relationship="head",
            document_type="passport",
            document_number="E1",
            document_issued_on="01.02.2020",
        ),
    ]
    batch = start(caseworker, sheet(rows))
    imports.import_confirm(batch=batch, actor=caseworker)
    imports.import_apply(batch=ImportBatch.objects.get(pk=batch.pk))
    family = Family.objects.get()
    assert family.head.given_name == "Ерлан"
    assert sorted(family.members.values_list("relationship", flat=True)) == ["child", "head"]
    assert Document.objects.get().person == family.head


def test_a_bad_line_rolls_the_whole_file_back(caseworker):
    rows = [line("A-1"), line("A-2", family_external_id="NO-HEAD", relationship="child")]
    batch = start(caseworker, sheet(rows))
    imports.import_confirm(batch=batch, actor=caseworker)
    batch = imports.import_apply(batch=ImportBatch.objects.get(pk=batch.pk))
    assert batch.state == "failed" and "NO-HEAD" in batch.error
    assert not Person.objects.filter(surname="Серікбаев").exists()


def test_a_caseworker_imports_only_into_their_region(caseworker):
    with pytest.raises(DomainError):
        imports.import_start(actor=caseworker, region=region("akmola"), source="x", uploaded_file=sheet([line("A-1")]))


def test_center_staff_and_the_analyst_cannot_import(center_staff, analyst):
    for user in (center_staff, analyst):
        with pytest.raises(Exception):  # noqa: B017 - NotAllowed
            imports.import_start(actor=user, region=region("pavlodar"), source="x", uploaded_file=sheet([line("A-1")]))
    assert not ImportBatch.objects.exists()


def test_the_admin_uploads_checks_and_confirms(client, caseworker, django_capture_on_commit_callbacks):
    client.force_login(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/oralman/importbatch/add/",
            {"source": "portal", "region": region("pavlodar").pk, "file": sheet([line("P-1")]), "accept_partial": ""},
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    batch = ImportBatch.objects.get()
    assert batch.state == "checked"  # tasks run in-process in tests
    page = client.get(f"/admin/oralman/importbatch/{batch.pk}/change/")
    assert "Подтвердить" in page.content.decode()
    assert client.get(f"/admin/oralman/importbatch/{batch.pk}/confirm/").status_code == 302  # a GET changes nothing
    assert ImportBatch.objects.get().state == "checked"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/oralman/importbatch/{batch.pk}/confirm/")
    assert ImportBatch.objects.get().state == "done"
    assert Person.objects.filter(surname="Серікбаев").exists()


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_template_downloads_in_each_language(client, caseworker, language):
    client.force_login(caseworker)
    response = client.get(f"/admin/oralman/importbatch/template/{language}.xlsx")
    assert response.status_code == 200
    headers = tablib.Dataset().load(io.BytesIO(response.content), format="xlsx").headers
    assert headers[3] == {"ru": "фамилия", "kk": "тегі", "en": "surname"}[language]


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_and_imported_by_the_worker(celery_worker_thread, caseworker):
    rows = [
        line(
            f"L-{i}",
            surname="Серікбаев",
            given_name=f"Ерлан{chr(1072 + i % 30)}",
            birth_date=f"{1 + i % 28:02d}.{1 + i % 12:02d}.19{50 + i % 50}",
        )
        for i in range(600)
    ]
    from django.db import transaction

    with transaction.atomic():
        batch = imports.import_start(
            actor=caseworker, region=region("pavlodar"), source="portal", uploaded_file=sheet(rows), accept_partial=True
        )
    deadline = time.monotonic() + 240
    while ImportBatch.objects.get(pk=batch.pk).state != "checked" and time.monotonic() < deadline:
        time.sleep(0.2)
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert (batch.state, batch.processed_rows, batch.total_rows) == ("checked", 600, 600)
    with transaction.atomic():
        imports.import_confirm(batch=batch, actor=caseworker)
    while ImportBatch.objects.get(pk=batch.pk).state == "importing" and time.monotonic() < deadline:
        time.sleep(0.2)
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert batch.state == "done", batch.error
    assert ExternalReference.objects.filter(source="portal").count() == 600
