"""Users per role for the citizenship tests.

tests/factories.UserFactory declares `role` as a factory Param, so it never reaches `_create` and
the shared fixtures' users get no group (reported to the lead). These fixtures add the group."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory


def _with_role(user, role):
    user.groups.add(Group.objects.get(name=role))
    user._kandas_role = "unset"
    if hasattr(user, "_kandas_role"):
        del user._kandas_role
    return user


@pytest.fixture
def caseworker(region):
    return _with_role(UserFactory(username="caseworker", region=region), "caseworker")


@pytest.fixture
def other_caseworker(other_region):
    return _with_role(UserFactory(username="other_caseworker", region=other_region), "caseworker")


@pytest.fixture
def analyst(db):
    return _with_role(UserFactory(username="analyst"), "ministry_analyst")


@pytest.fixture
def administrator(db):
    return _with_role(UserFactory(username="administrator", is_superuser=True), "administrator")


@pytest.fixture
def center_staff(db):
    return _with_role(UserFactory(username="center_clerk"), "center_staff")
