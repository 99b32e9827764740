"""Fixtures of the notification tests: pointing Celery at another broker."""

from __future__ import annotations

import contextlib
import time

import pytest


def _set_conf(app, **values) -> None:
    """Set Celery settings so that reading them sees the change: the app reads Django settings with
    the CELERY_ namespace, and a prefixed key wins over `app.conf.update(task_always_eager=...)`."""
    app.conf.update(**values, **{f"CELERY_{name.upper()}": value for name, value in values.items()})


@pytest.fixture
def celery_worker_thread(celery_worker_thread):
    """The shared worker fixture, made really non-eager: it sets `task_always_eager=False`, which the
    CELERY_-namespaced configuration ignores, so `.delay()` would still run in the test's thread."""
    from config.celery import app

    previous = app.conf.task_always_eager
    _set_conf(app, task_always_eager=False)
    assert app.conf.task_always_eager is False
    yield celery_worker_thread
    _set_conf(app, task_always_eager=previous)


@contextlib.contextmanager
def celery_broker(url: str):
    """Publish tasks to `url` inside the block (the worker keeps its own connection).

    Celery caches the producer pool per app; it is set aside and restored so the worker thread and
    later tests keep theirs."""
    from config.celery import app

    saved = (app.conf.get("broker_url"), app.conf.get("broker_write_url"), app._pool, app.amqp._producer_pool)
    _set_conf(app, broker_url=url, broker_write_url=url)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield app
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        _set_conf(app, broker_url=saved[0], broker_write_url=saved[1])
        app._pool, app.amqp._producer_pool = saved[2:]


def wait_until(predicate, timeout: float = 45.0, interval: float = 0.05):
    """Poll `predicate` until it is truthy (the worker runs in another thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


@pytest.fixture
def closed_port_broker():
    """A Redis URL on a port where nothing listens (the broker is down)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


class FakeGateway:
    """A real HTTP server in a thread standing in for the SMS gateway: it records each request and
    answers with the queued status codes (then 200). Like a real gateway it drops a repeated key."""

    def __init__(self):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[dict] = []
        self.delivered: list[dict] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                request = {"headers": dict(self.headers), "body": body}
                gateway.requests.append(request)
                time.sleep(gateway.delay)
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                key = self.headers.get("Idempotency-Key")
                if status == 200 and not any(d["headers"].get("Idempotency-Key") == key for d in gateway.delivered):
                    gateway.delivered.append(request)
                payload = json.dumps({"id": f"gw-{len(gateway.requests)}"} if status == 200 else {"error": "no"})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sms_gateway(settings):
    gateway = FakeGateway()
    settings.SMS_BACKEND = "notifications.sms.HttpSmsGatewayBackend"
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_GATEWAY_TOKEN = "gateway-secret"
    settings.SMS_SENDER = "KANDAS"
    yield gateway
    gateway.close()
