"""The newcomer's default: with no DATABASE_URL, an embedded PostgreSQL starts in a fresh folder
and the project migrates into it (CI points at a server, so this test keeps that path alive)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

from core import embedded_db


@pytest.fixture
def fresh_folder():
    # Unix socket paths are limited to about 100 characters: keep the folder short.
    base = Path(tempfile.mkdtemp(prefix="kpg", dir="/tmp"))
    base.chmod(0o755)  # the server may run as an unprivileged user when the tests run as root
    pgdata = base / "pg"
    yield pgdata
    try:
        embedded_db.stop(pgdata)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_the_embedded_database_starts_in_a_fresh_folder_and_migrates(fresh_folder):
    db = embedded_db.embedded_database_settings(fresh_folder)
    assert (fresh_folder / "postmaster.pid").exists()
    assert len(db["HOST"]) < 100

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env["EMBEDDED_PGDATA"] = str(fresh_folder)
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    conn = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"])
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM core_region")
            assert cur.fetchone()[0] == 20
            cur.execute("SELECT count(*) FROM core_country")
            assert cur.fetchone()[0] == 249
            cur.execute("SHOW server_version")
            assert cur.fetchone()[0].startswith("18")
            cur.execute("SELECT extname FROM pg_extension")
            assert {"pg_trgm", "btree_gist"} <= {row[0] for row in cur.fetchall()}
            # The settings that suit the data (issue 16, docs/operations.md) are in force.
            for setting, value in embedded_db.SETTINGS.items():
                cur.execute(f"SHOW {setting}")
                assert cur.fetchone()[0] == value, setting
    finally:
        conn.close()

    assert embedded_db.stop(fresh_folder) is True
    assert not (fresh_folder / "postmaster.pid").exists()
    assert embedded_db.stop(fresh_folder) is False


def test_a_folder_that_is_not_a_database_explains_how_to_use_a_server_instead(fresh_folder):
    fresh_folder.mkdir(parents=True)
    (fresh_folder / "PG_VERSION").write_text("not a version\n")
    with pytest.raises(embedded_db.EmbeddedDatabaseError) as exc:
        embedded_db.embedded_database_settings(fresh_folder)
    message = str(exc.value)
    assert str(fresh_folder) in message
    assert "DATABASE_URL=postgres://" in message


def test_docker_compose_runs_the_database_with_the_embedded_servers_settings():
    """The documented production configuration and the embedded server's stay in step
    (docs/operations.md, "PostgreSQL configuration")."""
    import yaml

    compose = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())
    command = compose["services"]["db"]["command"]
    given = dict(arg.split("=", 1) for arg in command if "=" in arg)
    assert {name: given.get(name) for name in embedded_db.SETTINGS} == embedded_db.SETTINGS
