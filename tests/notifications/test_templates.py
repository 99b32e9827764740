"""Templates per event in ru/kk/en, chosen by the recipient's language, editable in the database."""

from __future__ import annotations

import datetime

import pytest

from notifications.events import RECIPIENT_KIND, Event
from notifications.models import NotificationTemplate
from notifications.rendering import render_message
from notifications.services import notify
from tests.factories import UserFactory
from tests.notifications.factories import ContactablePersonFactory, SmsPersonFactory

SAMPLE_CONTEXT = {
    "certificate_number": "KND-PAVLOD-2026-000017",
    "valid_until": "2027-03-01",
    "days_left": 30,
    "application_id": 41,
    "reason": "birth certificate of the second child",
    "ground_name": "False documents",
    "year": 2026,
    "region_name": "Pavlodar",
    "position": 7,
    "registering_body": "УМС ДП Павлодарской области",
    "registration_number": "123",
    "registration_date": "2026-05-04",
    "center": "Ulan",
    "person": "Serikbaev Aigul",
    "check_in_on": "2025-10-01",
    "planned_check_out_on": "2026-04-01",
    "date": "2026-03-13",
    "until": "2026-03-18",
    "count": 1,
    "overdue_count": 0,
    "items": [
        {"kind": "status application", "reference": "41", "person": "A B", "due": "2026-03-18", "overdue": False}
    ],
    "recipient_name": "Ерлан Нурланов",
}
KAZAKH_LETTERS = set("әғқңөұүһі")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "kk", "en"])
@pytest.mark.parametrize("event", Event.values)
def test_every_event_has_a_template_in_each_language_that_renders(event, language):
    assert NotificationTemplate.objects.filter(event=event, language=language).exists()
    message = render_message(event=event, language=language, context=SAMPLE_CONTEXT)
    assert message.language == language
    assert message.subject and message.body and message.sms_text
    assert "{{" not in message.body and "{%" not in message.body
    if language == "kk":
        assert KAZAKH_LETTERS & set(message.body.lower())


@pytest.mark.django_db
def test_every_event_names_its_recipient_kind():
    assert set(RECIPIENT_KIND) == set(Event)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "Вам присвоен статус кандаса"), ("kk", "Сізге қандас мәртебесі берілді"), ("en", "Kandas status granted")],
)
def test_message_language_follows_the_recipient(language, expected):
    person = ContactablePersonFactory(preferred_language=language)
    notification = notify(
        event="status.granted",
        key=f"lang-{language}",
        person=person,
        context={"certificate_number": "KND-1", "valid_until": "2027-03-01"},
    )
    assert notification.language == language
    assert notification.subject == expected
    assert "01.03.2027" in notification.body
    assert person.full_name in notification.body


@pytest.mark.django_db
def test_sms_gets_the_short_text():
    notification = notify(
        event="status.expiring",
        key="sms-short",
        person=SmsPersonFactory(preferred_language="kk"),
        context={"certificate_number": "KND-7", "valid_until": "2026-04-12", "days_left": 30},
    )
    assert notification.body == (
        "KND-7 қандас куәлігі 12.04.2026 дейін жарамды. Мерзімді ұзартуға немесе азаматтыққа өтініш беріңіз."
    )


@pytest.mark.django_db
def test_an_administrators_edit_is_used_for_the_next_message():
    NotificationTemplate.objects.filter(event="status.granted", language="en").update(
        subject="Congratulations, {{ recipient_name }}", body="Certificate {{ certificate_number }}."
    )
    person = ContactablePersonFactory(preferred_language="en", given_name="Ерлан", surname="Нурланов")
    notification = notify(event="status.granted", key="edited", person=person, context={"certificate_number": "C9"})
    assert notification.subject == "Congratulations, Нурланов Ерлан"
    assert notification.body == "Certificate C9."


@pytest.mark.django_db
def test_missing_language_falls_back_to_russian():
    NotificationTemplate.objects.filter(event="quota.allocated", language="en").delete()
    message = render_message(event="quota.allocated", language="en", context={"year": 2026})
    assert message.language == "ru"
    assert "2026" in message.subject or "2026" in message.body


@pytest.mark.django_db
def test_text_is_not_html_escaped():
    message = render_message(event="status.documents_requested", language="en", context={"reason": "A & B <copy>"})
    assert "A & B <copy>" in message.body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "ground"),
    [("ru", "Ложные или поддельные документы"), ("kk", "Жалған немесе қолдан жасалған құжаттар")],
)
def test_refusal_names_its_ground_in_the_recipients_language(language, ground):
    person = ContactablePersonFactory(preferred_language=language)
    notification = notify(
        event="status.refused",
        key=f"ref-{language}",
        person=person,
        context={"application_id": 5, "ground": "false-documents"},
    )
    assert ground in notification.body


@pytest.mark.django_db
def test_digest_lists_every_case_with_its_date():
    user = UserFactory(email="cw@example.kz", preferred_language="ru")
    notification = notify(
        event="caseworker.deadline_digest",
        key="digest",
        user=user,
        context={
            "until": datetime.date(2026, 3, 18).isoformat(),
            "count": 2,
            "overdue_count": 1,
            "items": [
                {
                    "kind": "заявление о статусе",
                    "reference": "7",
                    "person": "А Б",
                    "due": "2026-03-12",
                    "overdue": True,
                },
                {
                    "kind": "заявление о статусе",
                    "reference": "8",
                    "person": "В Г",
                    "due": "2026-03-18",
                    "overdue": False,
                },
            ],
        },
    )
    assert "- 12.03.2026 ПРОСРОЧЕНО: заявление о статусе № 7, А Б" in notification.body
    assert "- 18.03.2026: заявление о статусе № 8, В Г" in notification.body
