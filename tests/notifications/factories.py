"""Factories of the notification tests (shared ones come from tests/factories.py)."""

from __future__ import annotations

import factory

from notifications.models import Notification
from tests.factories import PersonFactory


class ContactablePersonFactory(PersonFactory):
    """A person with an e-mail address (so the default channel is e-mail)."""

    email = factory.Sequence(lambda n: f"person{n}@example.kz")
    phone = ""
    preferred_language = "ru"


class SmsPersonFactory(PersonFactory):
    """A person with a phone and no e-mail (so the channel is SMS)."""

    email = ""
    phone = factory.Sequence(lambda n: f"+7701{n:07d}")
    preferred_language = "ru"


class NotificationFactory(factory.django.DjangoModelFactory):
    """An outbox row written directly (for admin and selector tests; services write the real ones)."""

    class Meta:
        model = Notification

    event = "status.granted"
    key = factory.Sequence(lambda n: f"test-notification-{n}")
    person = factory.SubFactory(ContactablePersonFactory)
    channel = "email"
    address = factory.LazyAttribute(lambda n: n.person.email)
    language = "ru"
    subject = "Тема"
    body = "Текст"
    region = factory.LazyAttribute(lambda n: n.person.region)
