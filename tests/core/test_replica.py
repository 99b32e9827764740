"""Analyst reports and whole-country lists read from a streaming replica; everything else, and
anything in a transaction or after a write, from the primary (core.replica, issue 15).

The first tests run the router against the test database's mirror alias (always available). The
last ones run against a real hot standby: `.ci/run` takes a pg_basebackup of the machine's
PostgreSQL into a temporary directory, starts it on another port and exports
DATABASE_REPLICA_URL. The standby replicates the whole primary cluster, the test database
included, so the `replica` alias is pointed at the standby under the test database's own name and
a row committed here shows there once replayed."""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from pathlib import Path

import environ
import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from core import replica
from quotas.models import RegionalQuota
from tests.factories import UserFactory
from tests.quotas.factories import make_year

REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
routed_db = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"])


@pytest.fixture
def routed(settings):
    settings.DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
    replica.reset()
    yield
    replica.reset()


def _report(client, year):
    response = client.get(f"/api/v1/reports/quota-use/?year={year.year}")
    assert response.status_code == 200, response.content
    return {row["region"]: row["places"] for row in response.json()["rows"]}


def _touches(queries, table: str) -> bool:
    return any(table in q["sql"] for q in queries)


# --- The router, against the mirror alias ---------------------------------------------------------


@routed_db
def test_an_analysts_report_and_country_list_read_from_the_replica_a_caseworkers_list_does_not(
    routed, client, analyst, caseworker
):
    year = make_year(shares={"pavlodar": 5, "akmola": 3})
    client.force_login(analyst)
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        assert len(_report(client, year)) == 2
        assert client.get("/api/v1/status-applications/").status_code == 200
    assert _touches(on_replica.captured_queries, "quotas_regionalquota")
    assert _touches(on_replica.captured_queries, "oralman_statusapplication")
    assert not _touches(on_primary.captured_queries, "quotas_regionalquota")

    client.force_login(caseworker)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get("/api/v1/status-applications/").status_code == 200
    assert on_replica.captured_queries == []


@routed_db
def test_reads_in_a_transaction_or_after_a_write_go_to_the_primary(routed, region):
    with replica.replica_reads():
        assert replica.read_alias() == "replica"
        with transaction.atomic():
            assert replica.read_alias() == "default"
        UserFactory(role="caseworker", region=region)  # a write in this request
        assert replica.read_alias() == "default"
    replica.reset()  # the next request starts afresh
    with replica.replica_reads():
        assert replica.read_alias() == "replica"


def test_without_the_router_or_outside_replica_reads_everything_is_the_primary(settings):
    replica.reset()
    with replica.replica_reads():
        assert replica.read_alias() == "default"  # tests' settings: no router
    settings.DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
    replica.reset()
    assert replica.read_alias() == "default"
    assert replica.ReplicaRouter().allow_migrate("replica", "oralman") is False
    assert replica.ReplicaRouter().db_for_write(None) == "default"


def test_the_replica_is_configured_only_when_its_url_is_set(monkeypatch):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://kandas@replica.example:5432/kandas")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.DATABASES["replica"]["HOST"] == "replica.example"
        assert reloaded.DATABASES["replica"]["TEST"] == {"MIRROR": "default"}
        assert reloaded.DATABASE_ROUTERS == ["core.replica.ReplicaRouter"]
        monkeypatch.delenv("DATABASE_REPLICA_URL")
        reloaded = importlib.reload(base)
        assert "replica" not in reloaded.DATABASES and reloaded.DATABASE_ROUTERS == []
    finally:
        monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
        importlib.reload(base)


# --- A real streaming replica ---------------------------------------------------------------------


@pytest.fixture
def real_replica(routed):
    if not REPLICA_URL:
        if os.environ.get("KANDAS_REQUIRE_SERVICES"):
            pytest.fail("KANDAS_REQUIRE_SERVICES is set but DATABASE_REPLICA_URL is not: .ci/run starts a replica")
        pytest.skip("DATABASE_REPLICA_URL is not set (.ci/run starts a streaming replica of the local PostgreSQL)")
    url = environ.Env.db_url_config(REPLICA_URL)
    # One standby serves every pytest-xdist process, and these tests pause its replay: one at a time.
    lock = open(Path(tempfile.gettempdir()) / f"kandas-replica-{url['PORT']}.lock", "w")  # noqa: SIM115
    fcntl.flock(lock, fcntl.LOCK_EX)
    conn = connections["replica"]
    saved = conn.settings_dict
    conn.close()
    # The test database's name (a mirror's settings are the primary's), on the standby's server.
    conn.settings_dict = {
        **saved, "HOST": url["HOST"], "PORT": url["PORT"], "USER": url["USER"] or saved["USER"],
        "PASSWORD": url["PASSWORD"] or saved["PASSWORD"],
    }  # fmt: skip
    try:
        yield conn
    finally:
        conn.close()
        conn.settings_dict = saved
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def _caught_up(standby, timeout: float = 15.0) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with standby.cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError(f"the standby did not replay up to {target} within {timeout} s")


@routed_db
def test_a_report_is_served_by_the_real_standby_and_shows_what_it_has_replayed(real_replica, client, analyst):
    with real_replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_setting('port')")
        in_recovery, port = cursor.fetchone()
    assert in_recovery, "DATABASE_REPLICA_URL is not a standby"
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT current_setting('port')")
        assert cursor.fetchone()[0] != port

    year = make_year(shares={"pavlodar": 5, "akmola": 3}, total=100)  # committed on the primary
    _caught_up(real_replica)
    client.force_login(analyst)
    assert sorted(_report(client, year).values()) == [3, 5]

    # Replay paused: a change committed on the primary is not in the report, so the report was
    # read from the standby, not the primary; once replayed, it is.
    with real_replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        RegionalQuota.objects.filter(quota_year=year, region__code="pavlodar").update(places=7)
        assert sorted(_report(client, year).values()) == [3, 5]
        with replica.replica_reads(), transaction.atomic():  # in a transaction: the primary
            assert replica.read_alias() == "default"
    finally:
        with real_replica.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    _caught_up(real_replica)
    assert sorted(_report(client, year).values()) == [3, 7]


@routed_db
def test_a_write_in_the_request_reads_back_from_the_primary_not_the_lagging_standby(real_replica):
    year = make_year(shares={"pavlodar": 5}, total=100)
    _caught_up(real_replica)
    with real_replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        with replica.replica_reads():
            assert RegionalQuota.objects.get(quota_year=year).places == 5  # from the standby
            RegionalQuota.objects.filter(quota_year=year).update(places=9)  # a write in this request
            assert RegionalQuota.objects.get(quota_year=year).places == 9  # read back from the primary
    finally:
        with real_replica.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
