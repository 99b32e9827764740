"""The SMS backends: console, locmem (the test outbox) and the HTTP gateway adapter."""

from __future__ import annotations

import io

import pytest

from notifications import sms
from notifications.sms import ConsoleSmsBackend, HttpSmsGatewayBackend, LocmemSmsBackend, get_sms_backend


def test_console_backend_prints_the_message():
    stream = io.StringIO()
    ConsoleSmsBackend(stream=stream).send(to="+77010000001", text="Сәлем", idempotency_key="k1")
    assert "+77010000001" in stream.getvalue()
    assert "Сәлем" in stream.getvalue()


def test_locmem_backend_keeps_one_message_per_key():
    backend = LocmemSmsBackend()
    first = backend.send(to="+77010000001", text="a", idempotency_key="k")
    again = backend.send(to="+77010000001", text="a", idempotency_key="k")
    backend.send(to="+77010000001", text="b")
    assert first == again
    assert [m.text for m in sms.outbox] == ["a", "b"]


def test_settings_choose_the_backend(settings):
    settings.SMS_BACKEND = "notifications.sms.ConsoleSmsBackend"
    assert isinstance(get_sms_backend(), ConsoleSmsBackend)


def test_gateway_posts_json_with_token_sender_and_idempotency_key(sms_gateway):
    message_id = HttpSmsGatewayBackend().send(to="+77010000001", text="Мәтін", idempotency_key="key-1")
    [request] = sms_gateway.requests
    assert message_id == "gw-1"
    assert request["body"] == {"from": "KANDAS", "to": "+77010000001", "text": "Мәтін"}
    assert request["headers"]["Idempotency-Key"] == "key-1"
    assert request["headers"]["Authorization"] == "Bearer gateway-secret"


@pytest.mark.parametrize(("status", "error"), [(503, sms.SmsError), (429, sms.SmsError), (422, sms.PermanentSmsError)])
def test_gateway_errors_say_whether_to_retry(sms_gateway, status, error):
    sms_gateway.statuses = [status]
    with pytest.raises(error) as raised:
        HttpSmsGatewayBackend().send(to="+77010000001", text="x", idempotency_key="k")
    assert (type(raised.value) is sms.PermanentSmsError) == (error is sms.PermanentSmsError)


def test_unreachable_gateway_is_a_temporary_error(closed_port_broker):
    url = closed_port_broker.replace("redis://", "http://").rsplit("/", 1)[0] + "/send"
    with pytest.raises(sms.SmsError) as raised:
        HttpSmsGatewayBackend(url=url, token="t", timeout=2).send(to="+77010000001", text="x")
    assert not isinstance(raised.value, sms.PermanentSmsError)


def test_gateway_needs_a_url(settings):
    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(sms.SmsError):
        HttpSmsGatewayBackend()
