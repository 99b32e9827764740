import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    """Returns an API client logged in (session) as the given user."""

    def _client(user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return _client
