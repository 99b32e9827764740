"""The status application list's order (with the department, waiting for the applicant, decided; each
by deadline) and the indexes that serve its first page at national scale (docs/benchmarks.md)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory, StatusApplicationFactory


def application(state, due_in=None, **kwargs):
    today = timezone.localdate()
    due = today + datetime.timedelta(days=due_in) if due_in is not None else None
    return StatusApplicationFactory(
        applicant=PersonFactory(**kwargs), state=state, decision_due=due, clock_started_on=due and today,
        complete=False,
    )  # fmt: skip


@pytest.fixture
def queue(db, region):
    return {
        "granted": application("granted", region=region),
        "review_late": application("under_review", 9, region=region),
        "returned": application("returned", region=region),
        "submitted_soon": application("submitted", 1, region=region),
        "draft": application("draft", region=region),
        "commission_mid": application("commission", 5, region=region),
    }


def listed(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:oralman_statusapplication_changelist"))
    assert response.status_code == 200
    return response.context["cl"]


@pytest.mark.parametrize("who", ["caseworker", "analyst"])
def test_open_by_deadline_then_waiting_for_the_applicant_then_decided(client, queue, who, request):
    shown = [a.pk for a in listed(client, request.getfixturevalue(who)).result_list]
    q = queue
    assert shown == [
        q["submitted_soon"].pk, q["commission_mid"].pk, q["review_late"].pk,  # with the department, by deadline
        q["draft"].pk, q["returned"].pk,  # no deadline: newest first among them
        q["granted"].pk,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("who", "index"), [("caseworker", "statusapp_region_queue_idx"), ("analyst", "statusapp_queue_idx")]
)
def test_the_first_page_is_read_in_order_from_an_index(client, queue, who, index, request):
    """The indexes repeat the ordering's expressions: if the two drift apart, PostgreSQL sorts the whole
    table (at 300,000 applications: 100-400 ms instead of under 1 ms)."""
    page = listed(client, request.getfixturevalue(who)).queryset[:50]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = page.explain()
    assert index in plan
    assert "Sort" not in plan
