"""Importing arrival lists (XLSX or CSV from embassies, the migration portal, the centers).

Two steps, both Celery jobs (in-process in development): **check** reads every line and says
what it would do: a new person, a match with an existing person (same IIN, or the same passport
and date of birth, with the reason), a new person similar to an existing one (the person matcher's
reasons), already imported (the same source and external id: importing a file twice changes
nothing), or an error with its line and reason. **Import**, on the user's confirmation, does it:
each line is all or nothing (persons through ``services.person_create``, families through
``family_create``/``family_add_member``, a document through ``document_add``); a file with a bad
line is imported only if the user chose "import the good rows", otherwise not at all.

Files are read with tablib (the library django-import-export is built on). The workflow is our own
because each line goes through the person matcher, the region scope and the services, which a
generic model importer would bypass.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

import tablib
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.authz import authorize, can
from core.errors import DomainError
from core.models import Country
from core.translit import name_key, to_latin
from oralman import matching, services
from oralman.models import (
    DocumentType,
    ExternalReference,
    Family,
    ImportBatch,
    ImportRow,
    Person,
    Relationship,
)

Outcome = ImportRow.Outcome
PROGRESS_EVERY = 250


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    required: bool = False


COLUMNS = [
    Column("external_id", gettext_lazy("external id"), True),
    Column("family_external_id", gettext_lazy("family external id")),
    Column("relationship", gettext_lazy("relationship to the head of family")),
    Column("surname", gettext_lazy("surname"), True),
    Column("given_name", gettext_lazy("given name"), True),
    Column("patronymic", gettext_lazy("patronymic")),
    Column("surname_latin", gettext_lazy("surname (Latin)")),
    Column("given_name_latin", gettext_lazy("given name (Latin)")),
    Column("birth_date", gettext_lazy("date of birth"), True),
    Column("sex", gettext_lazy("sex (M/F)"), True),
    Column("country_of_origin", gettext_lazy("country of origin (ISO code)"), True),
    Column("citizenship", gettext_lazy("citizenship (ISO code)")),
    Column("passport_number", gettext_lazy("foreign passport number")),
    Column("iin", gettext_lazy("IIN")),
    Column("phone", gettext_lazy("phone")),
    Column("email", gettext_lazy("e-mail")),
    Column("address", gettext_lazy("address in Kazakhstan")),
    Column("document_type", gettext_lazy("document type")),
    Column("document_number", gettext_lazy("document number")),
    Column("document_issued_on", gettext_lazy("document issued on")),
]
PERSON_FIELDS = (
    "surname",
    "given_name",
    "patronymic",
    "surname_latin",
    "given_name_latin",
    "passport_number",
    "iin",
    "phone",
    "email",
    "address",
)


class RowError(Exception):
    pass


# --- The template and reading a file -------------------------------------------------------------


def template(fmt: str, language: str) -> bytes:
    """An empty list with the column headings in ``language`` (any language's headings import)."""
    with translation.override(language):
        data = tablib.Dataset(headers=[str(c.label) for c in COLUMNS], title=str(_("Arrival list")))
        data.append(
            [
                "A-0001", "F-01", "head", "Жұмабаев", "Нұрлан", "", "Zhumabayev", "Nurlan", "15.03.1980", "M",
                "CN", "CN", "E12345678", "", "+77010000000", "", "", "passport", "E12345678", "01.02.2020",
            ]
        )  # fmt: skip
    return data.export(fmt) if fmt == "xlsx" else data.export("csv", delimiter=";").encode("utf-8-sig")


def _heading_keys() -> dict[str, str]:
    keys = {}
    for language in ("ru", "kk", "en"):
        with translation.override(language):
            keys.update({str(c.label).strip().lower(): c.key for c in COLUMNS})
    keys.update({c.key: c.key for c in COLUMNS})
    return keys


def read_rows(content: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(line number as the user sees it, {column key: text}) for every non-empty line."""
    if filename.lower().endswith(".xlsx"):
        data = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    else:
        text = content.decode("utf-8-sig")
        try:
            delimiter = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,\t").delimiter
        except (csv.Error, IndexError):
            delimiter = ";"
        data = tablib.Dataset().load(text, format="csv", delimiter=delimiter)
    keys = _heading_keys()
    columns = [keys.get(str(h or "").strip().lower()) for h in data.headers or []]
    missing = [str(c.label) for c in COLUMNS if c.required and c.key not in columns]
    if missing:
        raise DomainError(_("The file lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)})
    rows = []
    for index, values in enumerate(data, start=2):
        row = {key: _text(value) for key, value in zip(columns, values, strict=False) if key}
        if any(row.values()):
            rows.append((index, row))
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().strftime("%d.%m.%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- One line ------------------------------------------------------------------------------------


def _date(value: str, label) -> datetime.date | None:
    if not value:
        return None
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise RowError(_("%(column)s: %(value)s is not a date (dd.mm.yyyy).") % {"column": label, "value": value})


def _country(value: str, label, countries: dict[str, Country]) -> Country | None:
    if not value:
        return None
    country = countries.get(value.upper())
    if country is None:
        raise RowError(_("%(column)s: unknown country code %(value)s.") % {"column": label, "value": value})
    return country


def clean_row(row: dict[str, str], *, countries: dict[str, Country]) -> dict:
    labels = {c.key: c.label for c in COLUMNS}
    for column in COLUMNS:
        if column.required and not row.get(column.key):
            raise RowError(_("%(column)s is empty.") % {"column": column.label})
    sex = row["sex"].upper()[:1]
    sex = {"М": "M", "Ж": "F", "Е": "M", "Ә": "F"}.get(sex, sex)
    if sex not in ("M", "F"):
        raise RowError(_("%(column)s must be M or F.") % {"column": labels["sex"]})
    relationship = row.get("relationship", "").lower() or (Relationship.HEAD if row.get("family_external_id") else "")
    if relationship and relationship not in Relationship.values:
        raise RowError(
            _("%(column)s: unknown value %(value)s.") % {"column": labels["relationship"], "value": relationship}
        )
    document_type = row.get("document_type", "")
    if document_type and document_type not in DocumentType.values:
        raise RowError(
            _("%(column)s: unknown value %(value)s.") % {"column": labels["document_type"], "value": document_type}
        )
    fields = {name: row.get(name, "") for name in PERSON_FIELDS}
    fields["iin"] = fields["iin"] or None
    # A list without the passport spelling gets the Latin name by the documented transliteration.
    for cyrillic, latin in (("surname", "surname_latin"), ("given_name", "given_name_latin")):
        if not fields[latin]:
            fields[latin] = to_latin(fields[cyrillic]).title()
    fields.update(
        birth_date=_date(row["birth_date"], labels["birth_date"]),
        sex=sex,
        country_of_origin=_country(row["country_of_origin"], labels["country_of_origin"], countries),
        citizenship=_country(row.get("citizenship", ""), labels["citizenship"], countries),
    )
    if fields["birth_date"] > timezone.localdate():
        raise RowError(_("The date of birth is in the future."))
    return {
        "person": fields,
        "relationship": relationship,
        "family_external_id": row.get("family_external_id", ""),
        "document": {
            "doc_type": document_type,
            "number": row.get("document_number", ""),
            "issued_on": _date(row.get("document_issued_on", ""), labels["document_issued_on"]),
        }
        if document_type
        else None,
    }


def classify(
    row: dict[str, str], *, batch: ImportBatch, countries: dict[str, Country], user
) -> tuple[str, str, Person | None, dict | None]:
    """(outcome, reasons, the existing person it concerns, the cleaned line)."""
    external_id = row.get("external_id", "")
    reference = ExternalReference.objects.filter(source=batch.source, external_id=external_id).first()
    if reference is not None:
        return Outcome.ALREADY_IMPORTED, _("Imported before from this source."), reference.person, None
    try:
        cleaned = clean_row(row, countries=countries)
    except RowError as exc:
        return Outcome.ERROR, str(exc), None, None
    fields = cleaned["person"]
    probe = Person(**fields, region=batch.region)
    probe.name_key = name_key(probe.surname, probe.given_name)
    probe.latin_key = name_key(probe.surname_latin, probe.given_name_latin)
    for person, reason in _same_identity(probe):
        shown = _("%(reason)s: case No. %(id)s") % {"reason": reason, "id": person.pk}
        return (
            Outcome.MATCH,
            shown
            if can(user, "view", person)
            else _("%(reason)s: a person in another region's case file") % {"reason": reason},
            person,
            cleaned,
        )
    similar = list(
        matching.similar_persons(probe, Person.objects.filter(merged_into__isnull=True)).order_by("-match_score")[:3]
    )
    if similar:
        reasons = [
            _("similar name (%(percent)d %%) and the same date of birth: %(who)s")
            % {
                "percent": round(other.match_score * 100),
                "who": _("case No. %(id)s") % {"id": other.pk}
                if can(user, "view", other)
                else _("a person in another region"),
            }
            for other in similar
        ]
        return Outcome.POSSIBLE_DUPLICATE, "; ".join(reasons), None, cleaned
    return Outcome.NEW, "", None, cleaned


def _same_identity(probe: Person):
    others = Person.objects.filter(merged_into__isnull=True)
    if probe.iin:
        for person in others.filter(iin=probe.iin)[:1]:
            yield person, _("same IIN")
    if probe.passport_number:
        for person in others.filter(passport_number=probe.passport_number, birth_date=probe.birth_date)[:1]:
            yield person, _("same passport and date of birth")


# --- The two steps -------------------------------------------------------------------------------


def _countries() -> dict[str, Country]:
    return {c.iso2: c for c in Country.objects.all()}


def _progress(batch: ImportBatch, n: int) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=n)


def import_check(*, batch: ImportBatch) -> ImportBatch:
    """The dry run: one ImportRow per line with its outcome; changes no case file."""
    user = batch.created_by
    authorize(user, "oralman.add_person", Person)
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.CHECKING, processed_rows=0, error="")
    try:
        with batch.file.open("rb") as handle:
            rows = read_rows(handle.read(), batch.file.name)
    except DomainError as exc:
        return _fail(batch, exc.message)
    except Exception as exc:  # a file tablib cannot read at all
        return _fail(batch, _("The file cannot be read as XLSX or CSV: %(error)s") % {"error": exc})
    ImportBatch.objects.filter(pk=batch.pk).update(total_rows=len(rows))
    ImportRow.objects.filter(batch=batch).delete()
    countries, seen, pending, counts = _countries(), set(), [], {}
    for n, (line, row) in enumerate(rows, start=1):
        external_id = row.get("external_id", "")
        if external_id and external_id in seen:
            outcome, message, person = (
                Outcome.ERROR,
                _("The external id %(id)s appears twice in the file.") % {"id": external_id},
                None,
            )
        else:
            outcome, message, person, _cleaned = classify(row, batch=batch, countries=countries, user=user)
        seen.add(external_id)
        counts[outcome] = counts.get(outcome, 0) + 1
        pending.append(
            ImportRow(
                batch=batch, line=line, external_id=external_id[:100], outcome=outcome, message=message, person=person
            )
        )
        if n % PROGRESS_EVERY == 0:
            ImportRow.objects.bulk_create(pending)
            pending = []
            _progress(batch, n)
    ImportRow.objects.bulk_create(pending)
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.CHECKED, processed_rows=len(rows), counts=counts
    )
    batch.refresh_from_db()
    return batch


def _fail(batch: ImportBatch, message) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.FAILED, error=str(message), finished_at=timezone.now()
    )
    batch.refresh_from_db()
    return batch


def import_confirm(*, batch: ImportBatch, actor) -> ImportBatch:
    """The user's confirmation: refuses a file with bad lines unless partial import was chosen."""
    authorize(actor, "oralman.add_person", Person)
    authorize(actor, "oralman.change_importbatch", batch)
    if batch.state != ImportBatch.State.CHECKED:
        raise DomainError(_("Only a checked file can be imported."))
    if batch.counts.get(Outcome.ERROR) and not batch.accept_partial:
        raise DomainError(
            _("%(n)s line(s) have errors. Correct the file, or choose to import the good rows only.")
            % {"n": batch.counts[Outcome.ERROR]}
        )
    updated = ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.CHECKED).update(
        state=ImportBatch.State.IMPORTING, processed_rows=0
    )
    if not updated:
        raise DomainError(_("This file is being imported already."))
    from oralman.tasks import import_apply_task

    transaction.on_commit(lambda: import_apply_task.delay(batch.pk))
    batch.refresh_from_db()
    return batch


def import_apply(*, batch: ImportBatch) -> ImportBatch:
    """Import every line again through the matcher and the services (the data may have changed
    since the check). All lines in one transaction, unless the user accepted a partial import:
    then each line is its own transaction and a bad line is reported and skipped."""
    actor = batch.created_by
    with batch.file.open("rb") as handle:
        rows = read_rows(handle.read(), batch.file.name)
    # Heads first, so a member's family exists whatever the order of the lines.
    rows.sort(key=lambda item: (item[1].get("relationship", "").lower() not in ("", Relationship.HEAD), item[0]))
    countries, counts = _countries(), {}
    try:
        if batch.accept_partial:
            for n, (line, row) in enumerate(rows, start=1):
                outcome = _apply_line(batch, line, row, countries, actor, tolerate=True)
                counts[outcome] = counts.get(outcome, 0) + 1
                if n % PROGRESS_EVERY == 0:
                    _progress(batch, n)
        else:
            with transaction.atomic():
                for line, row in rows:
                    outcome = _apply_line(batch, line, row, countries, actor, tolerate=False)
                    counts[outcome] = counts.get(outcome, 0) + 1
    except RowError as exc:
        return _fail(batch, str(exc))
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.DONE, processed_rows=len(rows), counts=counts, finished_at=timezone.now()
    )
    batch.refresh_from_db()
    return batch


def _apply_line(batch, line, row, countries, actor, *, tolerate: bool) -> str:
    try:
        with transaction.atomic():
            outcome, message, person, cleaned = classify(row, batch=batch, countries=countries, user=actor)
            if outcome == Outcome.ERROR:
                raise RowError(message)
            if outcome in (Outcome.NEW, Outcome.POSSIBLE_DUPLICATE):
                person = services.person_create(actor=actor, region=batch.region, **cleaned["person"]).person
            if outcome != Outcome.ALREADY_IMPORTED:
                ExternalReference.objects.create(source=batch.source, external_id=row["external_id"], person=person)
                if can(actor, "change", person):
                    _family_and_document(batch, person, cleaned, actor)
            ImportRow.objects.update_or_create(
                batch=batch,
                line=line,
                defaults={
                    "external_id": row.get("external_id", "")[:100],
                    "outcome": outcome,
                    "message": message,
                    "person": person,
                    "imported": outcome != Outcome.ALREADY_IMPORTED,
                },
            )
            return outcome
    except (RowError, DomainError) as exc:
        text = _("Line %(line)s: %(error)s") % {
            "line": line,
            "error": exc.message if isinstance(exc, DomainError) else exc,
        }
        if not tolerate:
            raise RowError(text) from exc
        ImportRow.objects.update_or_create(
            batch=batch, line=line, defaults={"outcome": Outcome.ERROR, "message": text, "imported": False}
        )
        return Outcome.ERROR


def _describe(exc: Exception) -> str:
    """A refusal with the column it is about, so the user can find it in the file."""
    if not isinstance(exc, DomainError):
        return str(exc)
    if exc.field:
        try:
            label = Person._meta.get_field(exc.field).verbose_name
        except Exception:
            label = exc.field
        return f"{label}: {exc.message}"
    return str(exc.message)


def _family_and_document(batch, person, cleaned, actor) -> None:
    family_id = cleaned["family_external_id"]
    if family_id:
        key = f"family:{family_id}"
        if cleaned["relationship"] == Relationship.HEAD:
            family = Family.objects.filter(head=person).first() or services.family_create(head=person, actor=actor)
            ExternalReference.objects.get_or_create(source=batch.source, external_id=key, defaults={"person": person})
        else:
            head_ref = ExternalReference.objects.filter(source=batch.source, external_id=key).first()
            family = Family.objects.filter(head=head_ref.person).first() if head_ref else None
            if family is None:
                raise RowError(_("The family %(id)s has no head in the file.") % {"id": family_id})
            if not family.members.filter(person=person, left_on__isnull=True).exists():
                services.family_add_member(
                    family=family, person=person, relationship=cleaned["relationship"], actor=actor
                )
    if cleaned["document"]:
        services.document_add(person=person, actor=actor, **cleaned["document"])


def import_start(*, actor, region, source: str, uploaded_file, accept_partial: bool = False) -> ImportBatch:
    """Record the upload and queue its check (a Celery job, after the transaction commits)."""
    authorize(actor, "oralman.add_person", Person)
    from core.scoping import allowed_region_ids

    allowed = allowed_region_ids(actor)
    if allowed is not None and region.pk not in allowed:
        raise DomainError(_("You may import only into your own region."), field="region")
    batch = ImportBatch.objects.create(
        source=source, region=region, file=uploaded_file, accept_partial=accept_partial, created_by=actor
    )
    from oralman.tasks import import_check_task

    transaction.on_commit(lambda: import_check_task.delay(batch.pk))
    return batch
