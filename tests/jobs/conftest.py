"""Fixtures of the job-robustness tests: the notification tests' worker and closed-port broker, and
a broker outage for the publishing side only (the worker keeps its own connection)."""

import contextlib

from tests.core.test_report_exports import regions_report  # noqa: F401
from tests.notifications.conftest import _set_conf, celery_worker_thread, closed_port_broker  # noqa: F401


@contextlib.contextmanager
def broker_down(url: str):
    """Inside the block, publishing goes to `url` (a closed port). Afterwards producers are taken
    afresh for the restored settings (kombu keeps its pools per broker URL, process-wide)."""
    from config.celery import app

    saved = (app.conf.get("broker_url"), app.conf.get("broker_write_url"))  # raw, not resolved
    _set_conf(app, broker_url=url, broker_write_url=url)
    app._pool = app.amqp._producer_pool = None
    try:
        yield app
    finally:
        _set_conf(app, broker_url=saved[0], broker_write_url=saved[1])
        app._pool = app.amqp._producer_pool = None
