"""Reads from a PostgreSQL streaming replica (issue 15), on only when `DATABASE_REPLICA_URL` is set.

What may read from the replica is named, not guessed: the code that computes an analyst's report
(`core.reports.Report.build`, also in export jobs) and the whole-country lists of ministry analysts
(`core.api.ScopedModelViewSet.list`) run inside `replica_reads()`. Everything else reads from the
primary, and so does a replica-eligible read

* inside a transaction on the primary (it must see the transaction's own rows), or
* after anything was written in the same request or job (read your own writes).

A replica lags behind by a moment; the reads sent there are reports and lists, where a row
committed a second ago appearing on the next refresh is acceptable."""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connections

REPLICA = "replica"
PRIMARY = "default"


@dataclass
class _State:
    wrote: bool = False
    replica_ok: bool = False


_state: contextvars.ContextVar[_State | None] = contextvars.ContextVar("kandas_replica_state", default=None)


def _current() -> _State:
    state = _state.get()
    if state is None:
        state = _State()
        _state.set(state)
    return state


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and "core.replica.ReplicaRouter" in settings.DATABASE_ROUTERS


@contextlib.contextmanager
def replica_reads():
    """Reads inside the block may be served by the replica (if one is configured and allowed)."""
    state = _current()
    previous = state.replica_ok
    state.replica_ok = True
    try:
        yield
    finally:
        state.replica_ok = previous


def read_alias() -> str:
    """The database a replica-eligible read goes to now: the replica, or the primary when there is
    none, inside a transaction on the primary, or after a write in this request or job."""
    state = _current()
    if not (state.replica_ok and replica_configured()):
        return PRIMARY
    if state.wrote or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA


def read_connection():
    """The connection for a report's raw SQL (`with read_connection().cursor() as cursor`)."""
    return connections[read_alias()]


def reset(**_kwargs) -> None:
    """A new request (or job) starts with nothing written and no replica reads allowed."""
    _state.set(_State())


request_started.connect(reset, dispatch_uid="kandas-replica-reset-start")
request_finished.connect(reset, dispatch_uid="kandas-replica-reset-finish")


class ReplicaRouter:
    """DATABASE_ROUTERS entry (config.settings.base adds it when DATABASE_REPLICA_URL is set)."""

    def db_for_read(self, model, **hints):
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return instance._state.db
        return read_alias()

    def db_for_write(self, model, **hints):
        _current().wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
