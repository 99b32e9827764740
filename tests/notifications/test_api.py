"""The read-only outbox API: scoped, filterable, with today's counts."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import Notification
from tests.notifications.factories import NotificationFactory

URL = "/api/v1/notifications/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_caseworker_lists_only_the_regions_notifications(caseworker, region, other_region):
    mine = NotificationFactory(region=region)
    NotificationFactory(region=other_region)
    response = api(caseworker).get(URL)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
    assert api(caseworker).get(f"{URL}{Notification.objects.exclude(pk=mine.pk).get().pk}/").status_code == 404


@pytest.mark.django_db
def test_analyst_may_not_read_messages(analyst):
    NotificationFactory()
    assert api(analyst).get(URL).status_code == 403


@pytest.mark.django_db
def test_filter_by_state_and_counts_today(administrator):
    NotificationFactory(state=Notification.State.FAILED, failed_at=timezone.now())
    NotificationFactory(state=Notification.State.SENT, sent_at=timezone.now())
    NotificationFactory()
    client = api(administrator)
    assert [r["state"] for r in client.get(URL, {"state": "failed"}).json()["results"]] == ["failed"]
    assert client.get(f"{URL}counts-today/").json() == {"sent": 1, "failed": 1, "pending": 1}


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_rows(administrator, django_assert_max_num_queries):
    client = api(administrator)
    NotificationFactory.create_batch(2)
    with django_assert_max_num_queries(6) as small:
        client.get(URL)
    NotificationFactory.create_batch(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(URL)


@pytest.mark.django_db
def test_the_api_does_not_write(administrator):
    notification = NotificationFactory()
    assert api(administrator).patch(f"{URL}{notification.pk}/", {"state": "sent"}).status_code == 405
