"""Shared fixtures: users per role, and a real Celery worker thread for end-to-end task tests.

Tests run on PostgreSQL only (DATABASE_URL or the embedded server). With KANDAS_REQUIRE_SERVICES
set (CI), a missing Redis fails the tests that need it instead of falling back.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import TestWorkController
from django.conf import settings

from tests.factories import UserFactory

_SESSION_STARTED = time.time()
JOURNEYS = Path(__file__).resolve().parent.parent / "var" / "journeys"


def pytest_terminal_summary(terminalreporter):
    """Where the browser journeys left their screenshots, and the clicks and page loads counted."""
    if not JOURNEYS.is_dir():
        return
    done = [
        d for d in sorted(JOURNEYS.iterdir()) if (d / "counts.json").exists() and d.stat().st_mtime >= _SESSION_STARTED
    ]
    if not done:
        return
    terminalreporter.section("browser journeys")
    for folder in done:
        counts = json.loads((folder / "counts.json").read_text())
        shots = len(list(folder.glob("*.png")))
        terminalreporter.write_line(
            f"{folder}: {shots} screenshots; {counts['clicks']} clicks, {counts['page_loads']} page loads, "
            f"{counts['typed_urls']} typed addresses, {counts['fields_filled']} fields typed (last step: {counts['last_step']})"
        )


def pytest_collection_modifyitems(items):
    """Transactional tests flush every table afterwards, which would also delete the reference
    data that migrations load (regions, countries, role groups, schedules, ...). Make each of them
    restore the database's serialized initial content instead."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False)
        # Tests that run a real Celery worker share one xdist process (`--dist loadgroup` in the
        # Makefile): two workers' brokers, result backend and timing never overlap, so a worker
        # test never waits behind another one running in the other process.
        if "celery_worker_thread" in getattr(item, "fixturenames", ()) or item.path.name in _WORKER_MODULES:
            item.add_marker(pytest.mark.xdist_group("celery-worker"))


_WORKER_MODULES = {"test_brokers_and_channels.py", "test_celery_worker.py", "test_outbox_dispatch.py"}


@pytest.fixture(scope="session", autouse=True)
def _restore_reference_data_after_transactional_tests(django_db_setup, django_db_blocker):
    """A transactional test ends with a flush, which empties the reference data loaded by
    migrations (regions, countries, groups, status rules). With --reuse-db the next run would
    start on an empty database, so put the serialized contents back at the end of the session."""
    yield
    from django.db import connection

    from core.models import Region

    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents and not Region.objects.exists():
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def _fresh_calendar_overrides():
    """The working-day calendar keeps the override table in the process; a test's rows are rolled
    back without a delete(), so start and end every test with an empty cache."""
    from core.workdays import clear_overrides_cache

    clear_overrides_cache()
    yield
    clear_overrides_cache()


@pytest.fixture
def region(db):
    from core.models import Region

    return Region.objects.get(code="pavlodar")


@pytest.fixture
def other_region(db):
    from core.models import Region

    return Region.objects.get(code="akmola")


@pytest.fixture
def caseworker(region):
    return UserFactory(role="caseworker", region=region, username="caseworker")


@pytest.fixture
def other_caseworker(other_region):
    return UserFactory(role="caseworker", region=other_region, username="other_caseworker")


@pytest.fixture
def analyst(db):
    return UserFactory(role="ministry_analyst", username="analyst")


@pytest.fixture
def administrator(db):
    return UserFactory(role="administrator", username="administrator", is_superuser=True)


@pytest.fixture
def center_staff(db):
    return UserFactory(role="center_staff", username="center_clerk")


def _broker_url() -> str:
    rabbitmq_url = os.environ.get("RABBITMQ_URL", "")
    if rabbitmq_url:  # CI runs the Celery tests on RabbitMQ, the production broker
        from kombu import Connection

        try:
            with Connection(rabbitmq_url, connect_timeout=3) as conn:
                conn.ensure_connection(max_retries=1)
        except Exception as exc:
            pytest.fail(f"RABBITMQ_URL={rabbitmq_url} is set but RabbitMQ does not answer: {exc}")
        return rabbitmq_url
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
        except redis.exceptions.ConnectionError as exc:
            pytest.fail(f"REDIS_URL={redis_url} is set but Redis does not answer: {exc}")
        return redis_url
    if os.environ.get("KANDAS_REQUIRE_SERVICES"):
        pytest.fail("KANDAS_REQUIRE_SERVICES is set but REDIS_URL is not: CI must test on Redis")
    return "memory://"


def set_celery_conf(app, **values) -> None:
    """Change Celery settings so that reads see it: the app reads Django settings under the CELERY_
    namespace, where a prefixed key wins over a plain `app.conf.update(task_always_eager=...)`."""
    app.conf.update(**values, **{f"CELERY_{name.upper()}": value for name, value in values.items()})


WORKER_START_TIMEOUT = 60


class StartedOrFailingWorkController(TestWorkController):
    """celery's TestWorkController, whose `ensure_started` waits without a limit: a worker thread
    that stops before its consumer is ready hung a whole CI run. This one fails the test after
    WORKER_START_TIMEOUT seconds instead."""

    def ensure_started(self):
        if not self._on_started.wait(timeout=WORKER_START_TIMEOUT):
            raise RuntimeError(f"The test Celery worker did not start within {WORKER_START_TIMEOUT} s")


@pytest.fixture
def celery_worker_thread(transactional_db):
    """A real Celery worker in a thread: on Redis when REDIS_URL is set, else the memory transport.

    Tasks are no longer eager inside this fixture: `.delay()` goes through the broker."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from config.queues import NAMES as QUEUE_NAMES
    from config.queues import queue_name

    broker = _broker_url()
    # The raw settings (`conf.get`): `conf.broker_write_url` resolves to the broker URL of the moment,
    # and writing that back would pin publishing to it for every later test.
    previous = {
        "broker_url": app.conf.get("broker_url"),
        "broker_write_url": app.conf.get("broker_write_url"),
        "result_backend": app.conf.get("result_backend"),
        "task_always_eager": app.conf.task_always_eager,
    }
    set_celery_conf(
        app,
        broker_url=broker,
        broker_write_url=broker,  # publish where the worker consumes, whatever an earlier test left
        result_backend=os.environ.get("REDIS_URL") or "cache+memory://",
        task_always_eager=False,
    )
    assert app.conf.task_always_eager is False
    # Producers cached by earlier tests point at the broker of that moment: start afresh.
    saved_pools = (app._pool, app.amqp._producer_pool)
    app._pool = app.amqp._producer_pool = None
    app.connection_for_write().ensure_connection(max_retries=2)
    # Every queue, named: a worker started with `queues=` (the silent-SMTP test) narrows the app's
    # shared queue selection, and a worker started without would inherit it.
    every_queue = [queue_name(name) for name in QUEUE_NAMES]
    # A worker of an earlier test that did not stop in time leaves `should_terminate` at 0, which
    # stops the next worker at once; celery's own fixture would then wait for it forever.
    from celery.worker import state

    state.should_terminate = None
    with start_worker(
        app,
        queues=every_queue,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=20,
        loglevel="WARNING",
        WorkController=StartedOrFailingWorkController,
    ) as worker:
        yield worker
    # Not closed: kombu keeps pools in a process-wide registry keyed by broker URL.
    app._pool, app.amqp._producer_pool = saved_pools
    set_celery_conf(app, **previous)


@pytest.fixture(autouse=True)
def _clean_sms_outbox():
    """The in-process SMS outbox starts empty in every test (a journey that loads the demo fills it)."""
    from notifications import sms

    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _russian_by_default():
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
