import pytest

from tests.adaptation_centers.factories import CenterFactory, staff_of
from tests.factories import UserFactory


def user_with_role(role: str, **fields):
    return UserFactory(role=role, **fields)


@pytest.fixture
def center(db):
    return CenterFactory(name_ru="Центр временного размещения, Уральск", capacity=20)


@pytest.fixture
def clerk(center, center_staff):
    """A center_staff user assigned to `center`."""
    staff_of(center, center_staff)
    return center_staff


@pytest.fixture
def notices(monkeypatch):
    """Records the notify() calls the centers make (exact arguments; the outbox itself is tested once)."""
    calls = []

    def record(**kwargs):
        calls.append(kwargs)

    monkeypatch.setattr("adaptation_centers.services.notify", record)
    return calls
