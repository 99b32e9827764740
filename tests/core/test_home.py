"""Each role's home page: the caseworker's work queue, the clerk's desk, the analyst's reports."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from oralman import services
from tests.factories import FamilyFactory, KandasStatusFactory, PersonFactory, StatusApplicationFactory


def queue(client, user) -> dict:
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {section.key: section.items for section in response.context["queue"]}


@pytest.mark.django_db
def test_the_caseworker_sees_assigned_cases_deadlines_returns_and_expiring_statuses(client, caseworker):
    today = timezone.localdate()
    mine = FamilyFactory()
    services.family_assign(family=mine, caseworker=caseworker, actor=caseworker)
    FamilyFactory()  # not assigned
    overdue = StatusApplicationFactory(state="submitted", decision_due=today - datetime.timedelta(days=3),
                                       clock_started_on=today - datetime.timedelta(days=10))  # fmt: skip
    StatusApplicationFactory(state="submitted", decision_due=today + datetime.timedelta(days=3),
                             clock_started_on=today)  # fmt: skip
    returned = StatusApplicationFactory()
    services.application_submit(application=returned, actor=caseworker)
    services.application_return(application=returned, actor=caseworker, reason="photo")
    expiring = KandasStatusFactory(issued_on=today - datetime.timedelta(days=340),
                                   valid_until=today + datetime.timedelta(days=25))  # fmt: skip
    KandasStatusFactory()  # valid for most of a year
    items = queue(client, caseworker)
    assert [i.reference for i in items["my_cases"]] == [f"F-{mine.pk}"]
    assert [(i.reference, i.days, i.urgent) for i in items["deadlines"]] == [(str(overdue.pk), 3, True)]
    assert [(i.reference, i.days) for i in items["returned"]] == [(str(returned.pk), 0)]
    assert [(i.reference, i.days) for i in items["expiring"]] == [(expiring.certificate_number, 25)]


@pytest.mark.django_db
def test_another_regions_cases_are_not_in_the_queue(client, other_caseworker):
    today = timezone.localdate()
    StatusApplicationFactory(state="submitted", decision_due=today, clock_started_on=today)
    assert queue(client, other_caseworker)["deadlines"] == []


@pytest.mark.django_db
def test_the_center_clerk_has_the_desk_one_click_away(client, center_staff):
    client.force_login(center_staff)
    response = client.get(reverse("admin:index"))
    assert reverse("admin:adaptation_centers_center_my_desk") in response.text


@pytest.mark.django_db
def test_the_analyst_sees_the_reports_and_the_status_caseload(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("admin:index"))
    assert reverse("reports:page", args=["status-caseload"]) in response.text


@pytest.mark.django_db
def test_the_app_list_stays_reachable(client, caseworker, administrator):
    client.force_login(caseworker)
    assert reverse("app_list") in client.get(reverse("admin:index")).text
    assert client.get(reverse("app_list")).status_code == 200
    client.force_login(administrator)
    assert "app-oralman" in client.get(reverse("admin:index")).text


@pytest.mark.django_db
def test_the_status_list_puts_open_applications_first_by_deadline(client, caseworker):
    today = timezone.localdate()
    late = StatusApplicationFactory(
        state="submitted", decision_due=today + datetime.timedelta(days=9), clock_started_on=today
    )
    soon = StatusApplicationFactory(
        state="submitted", decision_due=today + datetime.timedelta(days=1), clock_started_on=today
    )
    decided = StatusApplicationFactory(applicant=PersonFactory(), state="withdrawn", complete=False)
    client.force_login(caseworker)
    response = client.get(reverse("admin:oralman_statusapplication_changelist"))
    ids = [a.pk for a in response.context["cl"].result_list]
    assert ids.index(soon.pk) < ids.index(late.pk) < ids.index(decided.pk)
