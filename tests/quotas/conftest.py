import pytest


@pytest.fixture
def notifications(monkeypatch):
    """Records the notifications the quota services queue (the outbox itself belongs to issue 7)."""
    sent = []

    def record(*, event, key, person=None, user=None, context=None):
        sent.append({"event": event, "key": key, "person": person, "user": user, "context": context or {}})

    monkeypatch.setattr("quotas.services.notify", record)
    return sent
