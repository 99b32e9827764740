"""The worker side of the jobs: RabbitMQ redelivers a dead worker's message at once, a silent SMTP
server costs one short attempt on the e-mail queue only, every task has time limits, and a
database connection dropped while idle costs no request (issue 15)."""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest
from django.conf import settings
from django.db import connection, connections

from config.queues import NAMES, ROUTES, route_task
from notifications.models import Notification
from notifications.services import notification_deliver
from quotas.models import AllocationRun
from tests.notifications.conftest import wait_until
from tests.notifications.factories import ContactablePersonFactory
from tests.quotas.factories import file_request, make_year

worker_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "")
# Without RabbitMQ (a newcomer's `make test`) the test is skipped; where the services are required
# (CI, KANDAS_REQUIRE_SERVICES) a missing RABBITMQ_URL fails it instead.
needs_rabbitmq = pytest.mark.skipif(
    not RABBITMQ_URL and not os.environ.get("KANDAS_REQUIRE_SERVICES"),
    reason="RABBITMQ_URL is not set (CI sets it)",
)


# --- RabbitMQ: a killed worker's message comes back at once -------------------------------------


@needs_rabbitmq
@worker_db
def test_on_rabbitmq_a_run_taken_by_a_worker_that_dies_is_redelivered_within_a_minute(administrator):
    if not RABBITMQ_URL:
        pytest.fail("KANDAS_REQUIRE_SERVICES is set but RABBITMQ_URL is not: CI must test on RabbitMQ")
    from celery.contrib.testing.worker import start_worker
    from kombu import Connection

    from config.celery import app
    from config.queues import queue_name
    from quotas.tasks import allocate_quota_task
    from tests.conftest import set_celery_conf

    year = make_year(shares={"pavlodar": 2, "akmola": 1})
    for i in range(5):
        file_request(year, region="pavlodar" if i % 2 else "akmola", minutes=i)
    run = AllocationRun.objects.create(quota_year=year, requested_by=administrator, oversize_rule=year.oversize_rule)
    previous = {k: app.conf[k] for k in ("broker_url", "broker_write_url", "result_backend", "task_always_eager")}
    set_celery_conf(
        app, broker_url=RABBITMQ_URL, broker_write_url=RABBITMQ_URL, task_always_eager=False,
        result_backend=os.environ.get("REDIS_URL") or "cache+memory://",
    )  # fmt: skip
    saved_pools = (app._pool, app.amqp._producer_pool)
    app._pool = app.amqp._producer_pool = None
    try:
        allocate_quota_task.apply_async(args=[run.pk])
        # A worker takes the message and dies before acknowledging it (its connection drops).
        with Connection(RABBITMQ_URL) as doomed:
            message = None
            deadline = time.monotonic() + 10
            while message is None and time.monotonic() < deadline:
                message = doomed.default_channel.basic_get(queue_name("allocation"), no_ack=False)
            assert message is not None, "the run's message never reached its queue"
        died_at = time.monotonic()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20, loglevel="WARNING"):
            wait_until(lambda: AllocationRun.objects.get(pk=run.pk).status == "done", timeout=60)
        assert time.monotonic() - died_at < 60
        assert AllocationRun.objects.get(pk=run.pk).attempts == 1
    finally:
        app._pool, app.amqp._producer_pool = saved_pools
        set_celery_conf(app, **previous)


def test_rabbitmq_is_taken_from_celery_broker_url(monkeypatch):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("CELERY_BROKER_URL", "amqp://kandas:secret@rabbitmq:5672/kandas")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.CELERY_BROKER_URL == "amqp://kandas:secret@rabbitmq:5672/kandas"
        assert reloaded.CELERY_TASK_ALWAYS_EAGER is False
    finally:
        monkeypatch.delenv("CELERY_BROKER_URL")
        importlib.reload(base)


# --- Queues and limits ----------------------------------------------------------------------------


def test_each_kind_of_work_has_its_own_queue():
    prefix = settings.CELERY_QUEUE_PREFIX
    assert {q.name for q in settings.CELERY_TASK_QUEUES} == {prefix + n for n in NAMES}
    assert route_task("quotas.tasks.allocate_quota_task", [1], {}, {}) == {"queue": prefix + "allocation"}
    assert route_task("core.tasks.export_report_task", [1], {}, {}) == {"queue": prefix + "exports"}
    assert route_task("notifications.tasks.sweep_outbox_task", [], {}, {}) == {"queue": prefix + "default"}
    assert set(ROUTES.values()) <= set(NAMES)


@pytest.mark.django_db
def test_a_delivery_is_published_on_the_queue_of_its_channel(monkeypatch):
    from notifications import services as notification_services

    published = []
    monkeypatch.setattr(
        notification_services, "publish", lambda task, *, args, queue=None, **kw: published.append(queue) or "id"
    )
    notification_services.enqueue_delivery(1, "email")
    notification_services.enqueue_delivery(2, "sms")
    prefix = settings.CELERY_QUEUE_PREFIX
    assert published == [prefix + "email", prefix + "sms"]


def test_every_task_has_a_soft_and_a_hard_time_limit():
    from config.celery import app

    app.loader.import_default_modules()
    ours = [t for name, t in app.tasks.items() if name.split(".")[0] in {"core", "oralman", "quotas", "notifications", "adaptation_centers", "citizenship", "documents"}]  # fmt: skip
    assert ours
    for task in ours:
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard, task.name
        assert task.acks_late or app.conf.task_acks_late, task.name
    assert app.conf.task_reject_on_worker_lost is True
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > max(t.time_limit or app.conf.task_time_limit for t in ours)


# --- A silent SMTP server --------------------------------------------------------------------------


@pytest.fixture
def silent_smtp_server():
    """Accepts connections and never says a word (not even the SMTP greeting)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    accepted = []
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    server.close()


@pytest.mark.django_db
def test_a_silent_smtp_server_costs_one_short_attempt_then_a_retry(settings, silent_smtp_server):
    from notifications.services import notify

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", silent_smtp_server, 1
    person = ContactablePersonFactory()
    notification = notify(event="status.granted", key="silent-1", person=person, context={"certificate_number": "X"})
    started = time.monotonic()
    assert notification_deliver(notification_id=notification.pk) == "retry"
    assert time.monotonic() - started < 5
    notification.refresh_from_db()
    assert notification.state == Notification.State.PENDING and "timed out" in notification.last_error


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_while_the_smtp_server_is_silent_sms_on_its_own_queue_keeps_flowing(settings, silent_smtp_server):
    """Two workers as in production (docker-compose, docs/operations.md): one on the e-mail queue,
    one on the SMS queue. The e-mail worker hangs on a server that never answers; an SMS sent after
    the e-mail is delivered meanwhile, and the e-mail's attempt ends at EMAIL_TIMEOUT and is retried."""
    from celery.contrib.testing.worker import start_worker
    from django.db import transaction

    from config.celery import app
    from config.queues import queue_name
    from notifications import sms
    from notifications.services import notify
    from tests.conftest import _broker_url, set_celery_conf
    from tests.notifications.factories import SmsPersonFactory

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", silent_smtp_server, 6
    broker = _broker_url()
    previous = {k: app.conf[k] for k in ("broker_url", "broker_write_url", "result_backend", "task_always_eager")}
    set_celery_conf(
        app, broker_url=broker, broker_write_url=broker, task_always_eager=False,
        result_backend=os.environ.get("REDIS_URL") or "cache+memory://",
    )  # fmt: skip
    saved_pools = (app._pool, app.amqp._producer_pool)
    app._pool = app.amqp._producer_pool = None
    sms.outbox.clear()
    try:
        common = {"pool": "solo", "perform_ping_check": False, "shutdown_timeout": 30, "loglevel": "WARNING"}
        with (
            start_worker(app, queues=[queue_name("email")], hostname="email@test", **common),
            start_worker(app, queues=[queue_name("sms")], hostname="sms@test", **common),
        ):
            with transaction.atomic():
                mail_notice = notify(
                    event="status.granted", key="silent-smtp-mail", person=ContactablePersonFactory(),
                    context={"certificate_number": "KND-PAVLOD-2026-000001"},
                )  # fmt: skip
            time.sleep(1.0)  # the e-mail worker now waits for the server's greeting
            started = time.monotonic()
            with transaction.atomic():
                person = SmsPersonFactory()
                sms_notice = notify(
                    event="status.granted", key="silent-smtp-sms", person=person,
                    context={"certificate_number": "KND-PAVLOD-2026-000002"},
                )  # fmt: skip
            wait_until(lambda: Notification.objects.get(pk=sms_notice.pk).state == Notification.State.SENT, timeout=5)
            assert time.monotonic() - started < 5
            assert [m.to for m in sms.outbox] == [person.phone]
            assert Notification.objects.get(pk=mail_notice.pk).last_error == "", "the e-mail was not held up"
            # The e-mail is still held by the silent server, then given up for a retry.
            wait_until(lambda: "timed out" in Notification.objects.get(pk=mail_notice.pk).last_error, timeout=15)
            assert Notification.objects.get(pk=mail_notice.pk).state == Notification.State.PENDING
        with app.connection_for_write() as conn:  # the e-mail's retry: not for later tests
            conn.default_channel.queue_purge(queue_name("email"))
    finally:
        app._pool, app.amqp._producer_pool = saved_pools
        set_celery_conf(app, **previous)
        app.amqp.queues._consume_from = None  # start_worker(queues=...) narrowed the app's shared selection
        sms.outbox.clear()


def test_the_email_settings_come_from_the_environment():
    assert int(os.environ.get("EMAIL_TIMEOUT", 10)) == settings.EMAIL_TIMEOUT
    for name in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS"):
        assert hasattr(settings, name)


# --- Connections that heal ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_database_connection_dropped_while_idle_costs_no_request(client):
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_started
    from django.db import close_old_connections

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    # As in production: persistent connections, and the request signal that recycles them (the
    # test client disconnects it; a real WSGI server has it).
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 600
    request_started.connect(close_old_connections, dispatch_uid="test-health")
    try:
        assert WSGIHandler  # the handler that sends request_started
        assert client.get("/healthz").status_code == 200
        pid = connection.connection.get_backend_pid()
        killer = connections.create_connection("default")
        try:
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            killer.close()
        assert client.get("/healthz").status_code == 200
        assert connection.connection.get_backend_pid() != pid
    finally:
        request_started.disconnect(dispatch_uid="test-health")
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()
