"""A backup restores: pg_dump -Fc of the database and a copy of the private files, restored into a
new database, hold every record and every audit event (pghistory), and every stored file.
The commands are the ones docs/operations.md gives; the pg_dump/pg_restore binaries are of the
server's major version (PostgreSQL 15 in CI, the embedded 18 under `make test`)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from core.backup import connection_args, find_tool, server_major_version
from oralman import services
from oralman.models import Document, Person
from tests.factories import PersonFactory, StatusApplicationFactory
from tests.uploads import PDF, PNG, upload

# Every table's rows, in a stable order, as one digest: equal digests mean equal contents.
TABLE_DIGESTS = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname
"""


def _connect(name: str):
    s = connection.settings_dict
    conn = psycopg2.connect(
        dbname=name, host=s.get("HOST") or None, port=s.get("PORT") or None, user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
    )  # fmt: skip
    conn.autocommit = True
    return conn


def _contents(conn) -> dict[str, tuple[int, str]]:
    """table -> (row count, md5 of all rows as text in a fixed order)."""
    result = {}
    with conn.cursor() as cursor:
        cursor.execute(TABLE_DIGESTS)
        for (table,) in cursor.fetchall():
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"
            )
            result[table] = cursor.fetchone()
    return result


def _triggers(conn) -> set[str]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text || '.' || tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_record_audit_event_and_file(caseworker, tmp_path):
    # Committed data of several kinds, with audit events and files.
    person = PersonFactory()
    services.person_update(person=person, actor=caseworker, phone="+77011234567")
    StatusApplicationFactory(applicant=person, region=person.region, complete=False)
    for name, content in (("passport.pdf", PDF), ("photo.png", PNG)):
        services.document_add(person=person, actor=caseworker, doc_type="passport", file=upload(name, content))

    major = server_major_version(connection)
    pg_dump, pg_restore = find_tool("pg_dump", major), find_tool("pg_restore", major)
    settings_dict = connection.settings_dict
    source_name = settings_dict["NAME"]
    restored_name = f"restore_{uuid.uuid4().hex[:12]}"
    dump = tmp_path / "kandas.dump"
    files_copy = tmp_path / "private-media"

    # 1. The backup: the database in PostgreSQL's custom format, then the private files.
    args, env = connection_args(settings_dict)
    subprocess.run([str(pg_dump), "-Fc", "--no-owner", "-f", str(dump), *args], env=env, check=True, timeout=300)
    shutil.copytree(settings.PRIVATE_MEDIA_ROOT, files_copy)

    # 2. The restore into a new, empty database.
    admin = _connect(source_name)
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored_name}" TEMPLATE template0')
    try:
        args, env = connection_args(settings_dict, name=restored_name)
        subprocess.run(
            [str(pg_restore), "--no-owner", "--exit-on-error", *args, str(dump)], env=env, check=True, timeout=300
        )

        # 3. Verification: the same tables with the same rows, audit events and triggers included.
        source, restored = _connect(source_name), _connect(restored_name)
        try:
            before, after = _contents(source), _contents(restored)
            assert before == after
            assert after["oralman_person"][0] == Person.objects.count() >= 1
            assert after["oralman_document"][0] == 2
            event_tables = [t for t in after if t.endswith("event")]
            assert "oralman_personevent" in event_tables
            assert all(after[t] == before[t] for t in event_tables)
            with restored.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM oralman_personevent WHERE pgh_obj_id = %s", [person.pk])
                assert cursor.fetchone()[0] >= 2  # created, then the phone changed
            assert _triggers(source) == _triggers(restored)
        finally:
            source.close()
            restored.close()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
        admin.close()

    # The files: every document's file is in the copy, byte for byte.
    for document in Document.objects.all():
        original = Path(settings.PRIVATE_MEDIA_ROOT) / document.file.name
        assert _sha(files_copy / document.file.name) == _sha(original)


def test_the_tools_match_the_server_version(db):
    major = server_major_version(connection)
    for tool in ("pg_dump", "pg_restore"):
        path = find_tool(tool, major)
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True).stdout
        assert f") {major}." in out
