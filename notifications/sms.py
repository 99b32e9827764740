"""Pluggable SMS backends, chosen by settings.SMS_BACKEND (like Django's EMAIL_BACKEND).

- ConsoleSmsBackend: prints the message (the default for a newcomer).
- LocmemSmsBackend: keeps messages in `notifications.sms.outbox` (tests); it honours idempotency keys
  the way a real gateway does, so a retry under the same key is not stored twice.
- HttpSmsGatewayBackend: a JSON-over-HTTPS gateway configured by SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN and
  SMS_SENDER; every request carries an `Idempotency-Key` header so the gateway drops a repeated send.
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The message was not accepted; a later attempt may succeed."""


class PermanentSmsError(SmsError):
    """The gateway refused the message for good (a wrong number, a rejected text): do not retry."""


@dataclass
class SmsMessage:
    to: str
    text: str
    sender: str
    idempotency_key: str | None = None
    message_id: str = field(default_factory=lambda: uuid.uuid4().hex)


class BaseSmsBackend:
    #: True when the channel itself drops a second message with the same idempotency key.
    accepts_idempotency_key = False

    def __init__(self, **kwargs):
        self.sender = kwargs.get("sender") or settings.SMS_SENDER

    def send(self, *, to: str, text: str, idempotency_key: str | None = None) -> str:
        """Hand one message to the channel; return the channel's message id."""
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def __init__(self, stream=None, **kwargs):
        super().__init__(**kwargs)
        self.stream = stream or sys.stdout

    def send(self, *, to: str, text: str, idempotency_key: str | None = None) -> str:
        message = SmsMessage(to=to, text=text, sender=self.sender, idempotency_key=idempotency_key)
        self.stream.write(f"SMS from {message.sender} to {to} [{idempotency_key or '-'}]\n{text}\n{'-' * 40}\n")
        self.stream.flush()
        return message.message_id


# The test outbox, like django.core.mail.outbox.
outbox: list[SmsMessage] = []
_outbox_lock = threading.Lock()


class LocmemSmsBackend(BaseSmsBackend):
    accepts_idempotency_key = True

    def send(self, *, to: str, text: str, idempotency_key: str | None = None) -> str:
        with _outbox_lock:
            if idempotency_key:
                for earlier in outbox:
                    if earlier.idempotency_key == idempotency_key:
                        return earlier.message_id
            message = SmsMessage(to=to, text=text, sender=self.sender, idempotency_key=idempotency_key)
            outbox.append(message)
            return message.message_id


class HttpSmsGatewayBackend(BaseSmsBackend):
    """POST {"from", "to", "text"} as JSON with a bearer token and an Idempotency-Key header.

    2xx: accepted (the response's "id" or "message_id" is kept); 408, 429 and 5xx or a network error:
    try again later; any other 4xx: refused for good."""

    accepts_idempotency_key = True

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 10.0, **kwargs):
        super().__init__(**kwargs)
        self.url = url or settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        self.timeout = timeout
        if not self.url:
            raise SmsError("SMS_GATEWAY_URL is not set")

    def send(self, *, to: str, text: str, idempotency_key: str | None = None) -> str:
        payload = json.dumps({"from": self.sender, "to": to, "text": text}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode(errors="replace")
            if exc.code in (408, 429) or exc.code >= 500:
                raise SmsError(f"SMS gateway answered {exc.code}: {detail}") from exc
            raise PermanentSmsError(f"SMS gateway refused the message ({exc.code}): {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"SMS gateway unreachable: {exc}") from exc
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            data = {}
        return str(data.get("id") or data.get("message_id") or "") if isinstance(data, dict) else ""


def get_sms_backend(path: str | None = None, **kwargs) -> BaseSmsBackend:
    return import_string(path or settings.SMS_BACKEND)(**kwargs)
