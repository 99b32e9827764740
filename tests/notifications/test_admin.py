"""The notifications admin: counts of today, filters, scope, re-send, template editing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import sms
from notifications.models import Notification, NotificationTemplate
from tests.notifications.factories import NotificationFactory, SmsPersonFactory

State = Notification.State
URL = reverse("admin:notifications_notification_changelist")
NOW = datetime.datetime(2026, 3, 13, 12, 0, tzinfo=datetime.UTC)  # 17:00 in Almaty


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _rows_of(response) -> set[int]:
    return {n.pk for n in response.context["cl"].result_list}


@pytest.mark.django_db
def test_changelist_counts_sent_failed_today_and_waiting_now(client, administrator, frozen):
    yesterday = NOW - datetime.timedelta(days=1)
    NotificationFactory.create_batch(2, state=State.SENT, sent_at=NOW - datetime.timedelta(hours=1))
    NotificationFactory(state=State.SENT, sent_at=yesterday)
    NotificationFactory(state=State.FAILED, failed_at=NOW)
    NotificationFactory(state=State.FAILED, failed_at=yesterday)
    NotificationFactory.create_batch(2, state=State.PENDING)
    NotificationFactory(state=State.SENDING, lease_expires_at=NOW + datetime.timedelta(minutes=5))
    client.force_login(administrator)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["counts_today"] == {"sent": 2, "failed": 1, "pending": 3}
    assert 'id="notification-counts"' in response.content.decode()


@pytest.mark.django_db
def test_today_is_the_local_day_in_almaty(client, administrator, time_machine):
    # Almaty is UTC+5: 20:00 UTC is 01:00 on the 14th; the local day began at 19:00 UTC.
    time_machine.move_to(datetime.datetime(2026, 3, 13, 20, 0, tzinfo=datetime.UTC), tick=False)
    NotificationFactory(state=State.SENT, sent_at=datetime.datetime(2026, 3, 13, 19, 30, tzinfo=datetime.UTC))
    NotificationFactory(state=State.SENT, sent_at=datetime.datetime(2026, 3, 13, 18, 30, tzinfo=datetime.UTC))
    client.force_login(administrator)
    assert client.get(URL).context["counts_today"]["sent"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "failed"}, "failed"),
        ({"channel": "sms"}, "sms"),
        ({"event": "quota.allocated"}, "quota"),
        ({"region__id__exact": "other"}, "other_region"),
    ],
)
def test_changelist_filters(client, administrator, other_region, params, expected):
    rows = {
        "failed": NotificationFactory(state=State.FAILED, failed_at=timezone.now()),
        "sms": NotificationFactory(channel="sms", address="+77010000001"),
        "quota": NotificationFactory(event="quota.allocated"),
        "other_region": NotificationFactory(region=other_region),
    }
    if params.get("region__id__exact") == "other":
        params = {"region__id__exact": str(other_region.pk)}
    client.force_login(administrator)
    response = client.get(URL, params)
    assert _rows_of(response) == {rows[expected].pk}


@pytest.mark.django_db
def test_caseworker_sees_only_the_notifications_of_the_region_and_cannot_resend(
    client, caseworker, region, other_region
):
    mine = NotificationFactory(region=region)
    NotificationFactory(region=other_region)
    client.force_login(caseworker)
    response = client.get(URL)
    assert _rows_of(response) == {mine.pk}
    assert response.context["action_form"] is None  # no re-send (or any action) for a caseworker
    assert client.get(reverse("admin:notifications_notification_change", args=[mine.pk])).status_code == 200


@pytest.mark.django_db
def test_resend_action_queues_the_failed_notification_again(client, administrator, django_capture_on_commit_callbacks):
    person = SmsPersonFactory()
    failed = NotificationFactory(
        person=person, channel="sms", address=person.phone, state=State.FAILED, failed_at=timezone.now(), attempts=8
    )
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"action": "resend", "_selected_action": [failed.pk]}, follow=True)
    assert response.status_code == 200
    failed.refresh_from_db()
    assert (failed.state, failed.resends) == (State.SENT, 1)
    assert [m.to for m in sms.outbox] == [person.phone]


@pytest.mark.django_db
def test_changelist_queries_do_not_grow_with_rows(client, administrator, django_assert_max_num_queries):
    client.force_login(administrator)
    NotificationFactory.create_batch(3)
    with django_assert_max_num_queries(12) as small:
        client.get(URL)
    NotificationFactory.create_batch(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(URL)


@pytest.mark.django_db
def test_template_admin_refuses_a_template_that_does_not_compile(client, administrator):
    template = NotificationTemplate.objects.get(event="status.granted", language="ru")
    client.force_login(administrator)
    url = reverse("admin:notifications_notificationtemplate_change", args=[template.pk])
    response = client.post(
        url,
        {"event": template.event, "language": "ru", "subject": "{% if %}", "body": template.body, "sms_text": ""},
    )
    assert response.status_code == 200
    assert "subject" in response.context["adminform"].form.errors
    template.refresh_from_db()
    assert template.subject == "Вам присвоен статус кандаса"
