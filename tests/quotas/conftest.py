import pytest


@pytest.fixture
def notifications(monkeypatch):
    """Records the notifications the quota services queue (the outbox itself belongs to issue 7)."""
    sent = []

    def record(*, event, key, person=None, user=None, context=None):
        sent.append({"event": event, "key": key, "person": person, "user": user, "context": context or {}})

    monkeypatch.setattr("quotas.services.notify", record)
    return sent


@pytest.fixture
def transaction_db(transactional_db):
    """tests/conftest.py's celery_worker_thread asks for `transaction_db`, which pytest-django names
    `transactional_db`; this alias keeps the shared fixture usable until the lead fixes it."""
    return transactional_db


@pytest.fixture
def celery_worker_thread(celery_worker_thread):
    """The shared fixture sets `task_always_eager=False`, but Celery looks up the namespaced key
    `CELERY_TASK_ALWAYS_EAGER` first, and the test settings say True: `.delay()` would still run
    in-process and never reach the worker. Force it off while the worker runs (reported to the lead)."""
    from config.celery import app

    # The namespaced key is looked up first, in every source: override it, not `task_always_eager`.
    previous = app.conf.task_always_eager
    app.conf.CELERY_TASK_ALWAYS_EAGER = False
    assert app.conf.task_always_eager is False
    yield celery_worker_thread
    app.conf.CELERY_TASK_ALWAYS_EAGER = previous
