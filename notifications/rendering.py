"""Render an event's message from its NotificationTemplate in the recipient's language.

Templates are Django templates stored in the database (administrators edit them), rendered without
HTML escaping (the output is plain text for e-mail and SMS) and with the recipient's language active,
so `{% load i18n %}`, `|date` and number formatting follow the recipient.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError
from django.utils import translation

from notifications.events import Event
from notifications.models import NotificationTemplate

ENGINE = Engine(
    autoescape=False,
    libraries={"i18n": "django.templatetags.i18n", "l10n": "django.templatetags.l10n", "tz": "django.templatetags.tz"},
)
FALLBACK_LANGUAGES = ("ru", "kk", "en")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class RenderedMessage:
    language: str
    subject: str
    body: str
    sms_text: str


def check_template_source(source: str) -> None:
    """Raise TemplateSyntaxError if `source` does not compile (for the admin form)."""
    ENGINE.from_string(source)


def revive(value: Any) -> Any:
    """Context comes back from JSON: turn ISO dates back into dates so `|date` works on them."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, list):
        return [revive(v) for v in value]
    if isinstance(value, dict):
        return {k: revive(v) for k, v in value.items()}
    return value


def template_for(event: str, language: str) -> NotificationTemplate | None:
    """The template in the recipient's language, else the first that exists in ru, kk, en."""
    templates = {t.language: t for t in NotificationTemplate.objects.filter(event=event)}
    for lang in (language, *FALLBACK_LANGUAGES):
        if lang in templates:
            return templates[lang]
    return None


def _render(source: str, context: dict) -> str:
    try:
        return ENGINE.from_string(source).render(Context(context, autoescape=False)).strip()
    except TemplateSyntaxError as exc:
        # A broken template edited in the admin must not lose the message: send the raw text.
        return f"{source.strip()}\n[{exc}]"


def render_message(*, event: str, language: str, context: dict) -> RenderedMessage:
    template = template_for(event, language)
    context = {k: revive(v) for k, v in context.items()}
    with translation.override(template.language if template else language):
        if template is None:
            label = str(Event(event).label) if event in Event.values else event
            return RenderedMessage(language=language, subject=label, body=label, sms_text=label)
        subject = " ".join(_render(template.subject, context).split())[:250]
        body = _render(template.body, context)
        sms_text = _render(template.sms_text, context) if template.sms_text.strip() else subject
    return RenderedMessage(language=template.language, subject=subject, body=body, sms_text=sms_text)
