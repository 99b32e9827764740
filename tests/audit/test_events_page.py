"""The events page reads only the newest events of each table (audit/events.py, issue 16) and shows
the same rows, in the same order, as pghistory's own query over whole tables."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pghistory.models import MiddlewareEvents

from audit.events import event_count, newest_first
from core.audit import acting
from tests.factories import PersonFactory

EVENTS_URL = "admin:pghistory_middlewareevents_changelist"


@pytest.fixture
def events(administrator, region):
    """Events of several tables and labels, interleaved in time: persons created and updated, and
    users (another event table) changed between them."""
    with acting(administrator):
        for i in range(7):
            person = PersonFactory(region=region)
            person.surname = f"Changed{i}"
            person.save()
            administrator.first_name = f"Admin{i}"
            administrator.save()


def _slugs(queryset):
    return [event.pgh_slug for event in queryset]


@pytest.mark.django_db
@pytest.mark.parametrize("label", [None, "update", "insert"])
@pytest.mark.parametrize("page", [(0, 5), (5, 10), (0, 100)])
def test_the_newest_first_query_returns_pghistorys_rows_in_the_same_order(events, label, page):
    queryset = MiddlewareEvents.objects.order_by("-pgh_created_at", "-pgh_id")
    if label:
        queryset = queryset.filter(pgh_label=label)
    start, stop = page
    expected = _slugs(queryset[start:stop])
    assert expected, "the fixture wrote events"
    assert _slugs(newest_first(queryset)[start:stop]) == expected


@pytest.mark.django_db
def test_each_tables_sub_select_is_limited_to_its_newest_events(events):
    queryset = newest_first(MiddlewareEvents.objects.order_by("-pgh_created_at").filter(pgh_label="update"))
    with CaptureQueriesContext(connection) as captured:
        list(queryset[20:40])
    sql = captured.captured_queries[-1]["sql"]
    assert "ORDER BY pgh_id DESC LIMIT 40" in sql
    assert "WHERE pgh_label = 'update' ORDER BY pgh_id DESC" in sql


@pytest.mark.django_db
def test_a_filter_it_does_not_understand_leaves_pghistorys_query_as_it_is(events):
    queryset = newest_first(MiddlewareEvents.objects.order_by("-pgh_created_at").filter(pgh_obj_model="oralman.Person"))
    with CaptureQueriesContext(connection) as captured:
        rows = list(queryset[:3])
    assert "ORDER BY pgh_id DESC LIMIT" not in captured.captured_queries[-1]["sql"]
    assert {row.pgh_obj_model for row in rows} == {"oralman.Person"}


@pytest.mark.django_db
def test_the_count_is_the_tables_estimate_unfiltered_and_exact_when_filtered(events):
    queryset = MiddlewareEvents.objects.order_by("-pgh_created_at")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE oralman_personevent")
    filtered = queryset.filter(pgh_label="update")
    assert event_count(filtered) == filtered.count()
    # Unfiltered, below the threshold: exact as well (the estimate is only used for big tables).
    assert event_count(queryset) == queryset.count()
    # Beyond the threshold: the capped count or the planner's estimate, whichever is larger.
    assert event_count(filtered, threshold=3) >= 4


@pytest.mark.django_db
def test_the_events_page_lists_the_newest_events_for_the_administrator(client, administrator, events):
    client.force_login(administrator)
    response = client.get(reverse(EVENTS_URL))
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    expected = _slugs(MiddlewareEvents.objects.order_by("-pgh_created_at", "-pgh_id", "-pgh_slug")[:100])
    assert _slugs(rows) == expected
    response = client.get(reverse(EVENTS_URL), {"label": "update"})
    assert response.status_code == 200
    assert {row.pgh_label for row in response.context["cl"].result_list} == {"update"}


@pytest.mark.django_db
def test_the_events_page_runs_a_fixed_number_of_queries(client, administrator, events):
    client.force_login(administrator)
    client.get(reverse(EVENTS_URL))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(EVENTS_URL))
    with acting(administrator):
        for _ in range(5):
            PersonFactory()
    with CaptureQueriesContext(connection) as more:
        client.get(reverse(EVENTS_URL))
    assert len(more) == len(few)
