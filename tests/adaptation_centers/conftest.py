import pytest
from django.contrib.auth.models import Group

from tests.adaptation_centers.factories import CenterFactory, staff_of
from tests.factories import UserFactory


def user_with_role(role: str, **fields):
    """tests/factories.UserFactory drops its `role` parameter (a factory Param never reaches
    _create), so the group is added here explicitly."""
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get(name=role))
    return user


# The shared role fixtures, re-declared so the users really have their role's group.
@pytest.fixture
def caseworker(region):
    return user_with_role("caseworker", region=region, username="caseworker")


@pytest.fixture
def other_caseworker(other_region):
    return user_with_role("caseworker", region=other_region, username="other_caseworker")


@pytest.fixture
def analyst(db):
    return user_with_role("ministry_analyst", username="analyst")


@pytest.fixture
def center_staff(db):
    return user_with_role("center_staff", username="center_clerk")


@pytest.fixture
def transaction_db(transactional_db):
    """tests/conftest.py's celery_worker_thread asks for `transaction_db`, which pytest-django
    calls `transactional_db`; this alias lets the worker fixture run."""


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
    """Records every notify() call the centers make (the outbox of issue 7 is not on this branch)."""
    calls = []

    def record(**kwargs):
        calls.append(kwargs)

    monkeypatch.setattr("adaptation_centers.services.notify", record)
    return calls
