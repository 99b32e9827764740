"""Fixtures of the job-robustness tests: the notification tests' broker helpers, shared."""

from tests.core.test_report_exports import regions_report  # noqa: F401
from tests.notifications.conftest import celery_worker_thread, closed_port_broker  # noqa: F401
