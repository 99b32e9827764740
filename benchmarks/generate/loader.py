"""Bulk loading with PostgreSQL COPY, the way pg_restore does it.

Everything runs in ONE transaction (PostgreSQL DDL is transactional): the loaded tables lose their
secondary indexes, foreign keys and user triggers (the pghistory audit triggers), the rows arrive
by COPY in chunks, then the indexes are built once and the foreign keys validated by one query each,
the triggers are enabled again and the identity sequences moved past the loaded ids. If anything
fails, or the process is killed, the rollback leaves the schema exactly as it was. Other sessions
never see the table without its triggers: ALTER TABLE holds an exclusive lock until the commit.

Why ALTER TABLE ... DISABLE TRIGGER USER rather than `pgtrigger.ignore()`: ignore() still calls every
trigger function once per row (the function returns early after reading a session variable), while
a disabled trigger costs nothing. A bulk load is not a change of any case, so it has no audit rows.
"""

from __future__ import annotations

import io
import queue
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

CHUNK_ROWS = 20_000


def copy_text(value) -> str:
    """One value in COPY's text format (for the slower, generic path)."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, list | tuple):
        return "{" + ",".join(f'"{v}"' for v in value) + "}"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def copy_line(*values) -> str:
    return "\t".join(copy_text(v) for v in values) + "\n"


@dataclass
class _Saved:
    table: str
    indexes: list[tuple[str, str]] = field(default_factory=list)  # (name, definition)
    foreign_keys: list[tuple[str, str]] = field(default_factory=list)  # (name, definition)


class Stream:
    """Rows for one table; full chunks go to the loader's COPY thread."""

    def __init__(self, loader: BulkLoader, table: str, columns: list[str]):
        self.loader = loader
        self.table = table
        self.sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self.buffer: list[str] = []
        self.count = 0

    def write(self, line: str) -> None:
        self.buffer.append(line)
        if len(self.buffer) >= CHUNK_ROWS:
            self.flush()

    def writerow(self, *values) -> None:
        self.write(copy_line(*values))

    def flush(self) -> None:
        if self.buffer:
            self.count += len(self.buffer)
            self.loader._enqueue(self.sql, "".join(self.buffer), self.table, len(self.buffer))
            self.buffer = []


class BulkLoader:
    """Prepare tables, stream COPY chunks on a second thread (Python builds the next chunk while
    PostgreSQL stores the last one), then rebuild what was dropped. Use as a context manager
    inside `transaction.atomic()`."""

    def __init__(self, connection, *, log=print, fresh: bool = True):
        self.connection = connection
        # Django's `connection` is per thread: the COPY thread must use this thread's psycopg2
        # connection (the one holding the transaction), not open its own.
        connection.ensure_connection()
        self.raw_connection = connection.connection
        self.log = log
        self.fresh = fresh
        self.saved: list[_Saved] = []
        self.rows: dict[str, int] = {}
        self._queue: queue.Queue = queue.Queue(maxsize=3)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._started = time.monotonic()
        self._last_report = 0.0
        self.copy_seconds = 0.0
        self.wait_seconds = 0.0

    # --- preparation and restoration -----------------------------------------------------------
    def prepare(self, tables: Iterable[str]) -> None:
        with self.connection.cursor() as cursor:
            # Deferred foreign-key checks still pending in this transaction would block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
            for table in tables:
                saved = _Saved(table)
                cursor.execute(
                    """
                    SELECT i.relname, pg_get_indexdef(i.oid)
                      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                     WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT x.indisunique
                       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                    """,
                    [table],
                )
                saved.indexes = cursor.fetchall()
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [table],
                )
                saved.foreign_keys = cursor.fetchall()
                for name, _definition in saved.foreign_keys:
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                for name, _definition in saved.indexes:
                    cursor.execute(f'DROP INDEX "{name}"')
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
                self.saved.append(saved)
        self._thread = threading.Thread(target=self._copy_worker, name="bulk-copy", daemon=True)
        self._thread.start()

    def restore(self) -> None:
        self._drain()
        with self.connection.cursor() as cursor:
            for saved in self.saved:
                started = time.monotonic()
                for _name, definition in saved.indexes:
                    cursor.execute(definition)
                for name, definition in saved.foreign_keys:
                    cursor.execute(f'ALTER TABLE {saved.table} ADD CONSTRAINT "{name}" {definition}')
                cursor.execute(f"ALTER TABLE {saved.table} ENABLE TRIGGER USER")
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{saved.table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {saved.table}), 0) + 1, false)"
                )
                self.log(
                    f"  {saved.table}: {len(saved.indexes)} indexes and {len(saved.foreign_keys)} foreign keys "
                    f"rebuilt in {time.monotonic() - started:.1f} s"
                )

    # --- streaming ------------------------------------------------------------------------------
    def stream(self, table: str, columns: list[str]) -> Stream:
        return Stream(self, table, columns)

    def copy_rows(self, table: str, columns: list[str], lines: Iterable[str]) -> int:
        stream = self.stream(table, columns)
        for line in lines:
            stream.write(line)
        stream.flush()
        return stream.count

    def execute(self, sql: str, params=None) -> int:
        """A set-based load step (INSERT ... SELECT) run in order with the COPY chunks."""
        self._drain()
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def _enqueue(self, sql: str, data: str, table: str, count: int) -> None:
        if self._error:
            raise RuntimeError("bulk COPY failed") from self._error
        wait_started = time.monotonic()
        self._queue.put((sql, data, table, count))
        self.wait_seconds += time.monotonic() - wait_started

    def _drain(self) -> None:
        self._queue.join()
        if self._error:
            raise RuntimeError("bulk COPY failed") from self._error

    def _copy_worker(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if self._error:
                    continue
                sql, data, table, count = item
                copy_started = time.monotonic()
                with self.raw_connection.cursor() as cursor:
                    cursor.copy_expert(sql, io.StringIO(data), size=1 << 20)
                self.copy_seconds += time.monotonic() - copy_started
                self.rows[table] = self.rows.get(table, 0) + count
                self._report()
            except BaseException as exc:
                self._error = exc
            finally:
                self._queue.task_done()

    def _report(self) -> None:
        now = time.monotonic()
        if now - self._last_report < 5:
            return
        self._last_report = now
        total = sum(self.rows.values())
        elapsed = now - self._started
        parts = ", ".join(f"{t.split('_', 1)[-1]} {n:,}" for t, n in self.rows.items())
        self.log(f"  ... {total:,} rows in {elapsed:.0f} s ({total / elapsed:,.0f} rows/s): {parts}")

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
