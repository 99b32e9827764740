"""The read log: who opened which person's full record, family, printout; never list pages; an
alert when one user opens more person files in an hour than allowed."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import ReadAlert, ReadLogEntry
from audit.services import log_read
from documents import services as documents
from notifications.models import Notification
from tests.factories import FamilyFactory, KandasStatusFactory, PersonFactory, UserFactory


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_opening_a_person_page_in_the_admin_is_logged(client, caseworker):
    person = PersonFactory()
    client.force_login(caseworker)
    url = reverse("admin:oralman_person_change", args=[person.pk])
    assert client.get(url, REMOTE_ADDR="10.1.2.3").status_code == 200
    [entry] = ReadLogEntry.objects.all()
    assert (entry.user, entry.kind, entry.person_id, entry.object_id) == (caseworker, "person", person.pk, person.pk)
    assert entry.content_type.model == "person"
    assert entry.path == url and entry.ip == "10.1.2.3"


@pytest.mark.django_db
def test_opening_a_family_page_in_the_admin_is_logged_against_its_head(client, caseworker):
    family = FamilyFactory()
    client.force_login(caseworker)
    assert client.get(reverse("admin:oralman_family_change", args=[family.pk])).status_code == 200
    [entry] = ReadLogEntry.objects.all()
    assert (entry.kind, entry.object_id, entry.person_id) == ("family", family.pk, family.head_id)


@pytest.mark.django_db
def test_the_api_person_and_family_details_are_logged(caseworker):
    family = FamilyFactory()
    api = _api(caseworker)
    assert api.get(f"/api/v1/persons/{family.head_id}/").status_code == 200
    assert api.get(f"/api/v1/families/{family.pk}/").status_code == 200
    kinds = list(ReadLogEntry.objects.order_by("id").values_list("kind", "object_id", "path"))
    assert kinds == [
        ("person", family.head_id, f"/api/v1/persons/{family.head_id}/"),
        ("family", family.pk, f"/api/v1/families/{family.pk}/"),
    ]


@pytest.mark.django_db
def test_a_record_outside_the_scope_is_not_shown_and_not_logged_as_read(client, other_caseworker):
    person = PersonFactory()
    client.force_login(other_caseworker)
    client.get(reverse("admin:oralman_person_change", args=[person.pk]))
    assert _api(other_caseworker).get(f"/api/v1/persons/{person.pk}/").status_code == 404
    assert not ReadLogEntry.objects.exists()


@pytest.mark.django_db
def test_list_pages_write_nothing_to_the_read_log(client, caseworker):
    PersonFactory.create_batch(3)
    FamilyFactory()
    client.force_login(caseworker)
    for name in ("admin:oralman_person_changelist", "admin:oralman_family_changelist"):
        assert client.get(reverse(name)).status_code == 200
    api = _api(caseworker)
    assert api.get("/api/v1/persons/").status_code == 200
    assert api.get("/api/v1/families/").status_code == 200
    assert not ReadLogEntry.objects.exists()


@pytest.mark.django_db
def test_downloading_a_printout_is_logged_with_its_holder(client, caseworker):
    status = KandasStatusFactory()
    issued = documents.document_issue(kind="kandas_certificate", subject=status, language="kk", actor=caseworker)
    client.force_login(caseworker)
    url = reverse("admin:documents_issueddocument_certificate", args=[status.pk, "kk"])
    assert client.get(url).content.startswith(b"%PDF")
    [entry] = ReadLogEntry.objects.all()
    assert (entry.kind, entry.object_id, entry.person_id) == ("printout", issued.pk, status.person_id)


@pytest.mark.django_db
def test_saving_a_person_is_not_a_read(client, caseworker):
    from tests.oralman.test_scoping import _admin_person_form

    person = PersonFactory()
    client.force_login(caseworker)
    client.post(reverse("admin:oralman_person_change", args=[person.pk]), _admin_person_form(person))
    assert not ReadLogEntry.objects.exists()


# --- The alert ------------------------------------------------------------------------------------


@pytest.fixture
def threshold(settings):
    settings.KANDAS_READ_ALERT_PER_HOUR = 3
    return 3


def _read(user, persons):
    for person in persons:
        log_read(user, person, kind="person")


@pytest.mark.django_db
def test_the_alert_fires_at_the_threshold_plus_one_and_notifies_administrators(threshold, caseworker, administrator):
    other_admin = UserFactory(role="administrator", username="second_admin", email="second@example.kz")
    persons = PersonFactory.create_batch(threshold + 1)
    _read(caseworker, persons[:threshold])
    _read(caseworker, persons[:2])  # reading the same files again counts once
    assert not ReadAlert.objects.exists()
    _read(caseworker, persons[threshold:])
    [alert] = ReadAlert.objects.all()
    assert (alert.user, alert.persons_count, alert.threshold) == (caseworker, threshold + 1, threshold)
    notified = Notification.objects.filter(event="audit.read_alert")
    assert {n.user for n in notified} == {administrator, other_admin}
    assert caseworker.username in notified.get(user=other_admin).body


@pytest.mark.django_db
def test_the_alert_is_raised_once_per_user_and_hour(threshold, caseworker, administrator):
    start = timezone.now().replace(minute=5, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        _read(caseworker, PersonFactory.create_batch(threshold + 3))
    assert ReadAlert.objects.count() == 1
    assert Notification.objects.filter(event="audit.read_alert").count() == 1
    with time_machine.travel(start + datetime.timedelta(minutes=70), tick=False):
        _read(caseworker, PersonFactory.create_batch(threshold + 1))
    assert ReadAlert.objects.count() == 2


@pytest.mark.django_db
def test_reads_older_than_an_hour_do_not_count(threshold, caseworker):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _read(caseworker, PersonFactory.create_batch(threshold))
    with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
        _read(caseworker, PersonFactory.create_batch(threshold))
    assert not ReadAlert.objects.exists()


@pytest.mark.django_db
def test_each_user_is_counted_alone(threshold, caseworker, analyst):
    persons = PersonFactory.create_batch(threshold)
    _read(caseworker, persons)
    _read(analyst, persons)
    assert not ReadAlert.objects.exists()


# --- Who sees the read log ----------------------------------------------------------------------


@pytest.mark.django_db
def test_analysts_read_the_log_but_cannot_change_or_delete_it(client, analyst, caseworker):
    entry = log_read(caseworker, PersonFactory(), kind="person")
    client.force_login(analyst)
    changelist = reverse("admin:audit_readlogentry_changelist")
    response = client.get(changelist, {"user": caseworker.pk})
    assert response.status_code == 200 and caseworker.username in response.text
    change = reverse("admin:audit_readlogentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"path": "/elsewhere/"}).status_code == 403
    assert client.post(reverse("admin:audit_readlogentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert ReadLogEntry.objects.filter(pk=entry.pk, path=entry.path).exists()
    assert client.get(reverse("admin:audit_readalert_changelist")).status_code == 200


@pytest.mark.django_db
def test_administrators_cannot_delete_the_log_either(client, administrator, caseworker):
    entry = log_read(caseworker, PersonFactory(), kind="person")
    client.force_login(administrator)
    assert client.post(reverse("admin:audit_readlogentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert ReadLogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["caseworker", "center_staff"])
def test_caseworkers_and_center_staff_do_not_see_the_read_log(client, role, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("admin:audit_readlogentry_changelist")).status_code == 403
    assert client.get(reverse("admin:audit_readalert_changelist")).status_code == 403


@pytest.mark.django_db
def test_the_log_filters_by_day(client, analyst, caseworker):
    person = PersonFactory()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3), tick=False):
        old = log_read(caseworker, person, kind="person")
    new = log_read(caseworker, person, kind="person")
    client.force_login(analyst)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)  # as the "Today" link
    response = client.get(
        reverse("admin:audit_readlogentry_changelist"),
        {"at__gte": str(today), "at__lt": str(today + datetime.timedelta(days=1))},
    )
    ids = [obj.pk for obj in response.context["cl"].result_list]
    assert ids == [new.pk] and old.pk not in ids


@pytest.mark.django_db
def test_administrators_mark_alerts_reviewed_and_analysts_cannot(client, administrator, analyst, caseworker):
    alert = ReadAlert.objects.create(user=caseworker, window_start=timezone.now(), persons_count=60, threshold=50)
    url = reverse("admin:audit_readalert_changelist")
    client.force_login(analyst)
    client.post(url, {"action": "mark_reviewed", "_selected_action": [alert.pk]})
    alert.refresh_from_db()
    assert alert.reviewed_at is None
    client.force_login(administrator)
    client.post(url, {"action": "mark_reviewed", "_selected_action": [alert.pk]})
    alert.refresh_from_db()
    assert alert.reviewed_by == administrator and alert.reviewed_at is not None


@pytest.mark.django_db
def test_one_read_costs_two_queries(caseworker, django_assert_num_queries):
    person = PersonFactory()
    log_read(caseworker, person, kind="person")  # content type cached
    with django_assert_num_queries(2):  # the INSERT and the index-only count for the alert
        log_read(caseworker, person, kind="person")


@pytest.mark.django_db
def test_a_failing_notification_does_not_break_the_read_and_the_next_read_retries(
    threshold, caseworker, administrator, monkeypatch
):
    import audit.services

    persons = PersonFactory.create_batch(threshold + 2)
    _read(caseworker, persons[:threshold])

    def broken(alert):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(audit.services, "_notify_administrators", broken)
    assert log_read(caseworker, persons[threshold], kind="person") is not None
    assert not ReadAlert.objects.exists()
    monkeypatch.undo()
    _read(caseworker, persons[threshold + 1 :])
    assert ReadAlert.objects.count() == 1
    assert Notification.objects.filter(event="audit.read_alert", user=administrator).exists()
