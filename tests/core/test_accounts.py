"""Account protection, each test written as the attack it stops: password guessing, weak
passwords, sessions left open, a stolen password without the second factor, tokens read from the
database or the admin, script injection, and debug pages on a server."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from core.models import ApiToken, User
from core.services import api_token_issue
from demo.management.commands.load_demo import DEMO_USERS

PASSWORD = "demo-pass-123"
OTP_ROLES = override_settings(KANDAS_OTP_REQUIRED_ROLES=["administrator", "ministry_analyst"])


def _address() -> str:
    """A client address of its own, so no test shares lock-out or throttle counters."""
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


def _admin_login(client, username, password, address):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return str(TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()).zfill(6)


# --- Password guessing -----------------------------------------------------------------------


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_admin_login_for_fifteen_minutes(client, caseworker, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    address = _address()
    for _attempt in range(4):
        assert _admin_login(client, "caseworker", "wrong-guess-000", address).status_code == 200
    assert _admin_login(client, "caseworker", "wrong-guess-000", address).status_code == 429
    locked = _admin_login(client, "caseworker", PASSWORD, address)
    assert locked.status_code == 429
    assert "15" in locked.content.decode() and "Слишком много неудачных попыток" in locked.content.decode()
    assert "_auth_user_id" not in client.session

    time_machine.shift(datetime.timedelta(minutes=16))
    assert _admin_login(client, "caseworker", PASSWORD, address).status_code == 302


@pytest.mark.django_db
def test_the_lock_out_page_is_in_kazakh_for_a_kazakh_speaker(client, caseworker):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    address = _address()
    for _attempt in range(6):
        response = _admin_login(client, "caseworker", "wrong-guess-000", address)
    assert response.status_code == 429
    assert "Кіру сәтсіз" in response.content.decode()


@pytest.mark.django_db
def test_a_locked_username_still_logs_in_from_another_address(client, caseworker):
    address = _address()
    for _attempt in range(5):
        _admin_login(client, "caseworker", "wrong-guess-000", address)
    assert _admin_login(client, "caseworker", PASSWORD, _address()).status_code == 302


@pytest.mark.django_db
def test_wrong_passwords_on_the_api_token_login_lock_it_out(caseworker):
    client, address = APIClient(), _address()
    statuses = [
        client.post(
            "/api/v1/auth/token/", {"username": "caseworker", "password": "wrong-guess-000"}, REMOTE_ADDR=address
        ).status_code
        for _attempt in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]
    response = client.post("/api/v1/auth/token/", {"username": "caseworker", "password": PASSWORD}, REMOTE_ADDR=address)
    assert response.status_code == 429
    assert "token" not in response.json()
    assert not ApiToken.objects.filter(user=caseworker).exists()


@pytest.mark.django_db
def test_the_token_login_is_throttled_by_its_own_stricter_scope(caseworker, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "auth": "3/minute"})
    client, address = APIClient(), _address()
    statuses = [
        client.post(
            "/api/v1/auth/token/", {"username": "nobody", "password": "x" * 12}, REMOTE_ADDR=address
        ).status_code
        for _attempt in range(4)
    ]
    assert statuses == [400, 400, 400, 429]


@pytest.mark.django_db
def test_a_signed_in_client_is_throttled_per_user(caseworker, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "user": "2/minute"})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=caseworker, name='scraper')[1]}")
    assert [client.get("/api/v1/regions/").status_code for _ in range(3)] == [200, 200, 429]


def test_the_production_rates_limit_anonymous_users_and_auth_endpoints():
    from config.settings import base

    rates = base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(rates) == {"anon", "user", "auth"}
    assert int(rates["auth"].split("/")[0]) < int(rates["anon"].split("/")[0])


# --- Weak passwords --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Kz-2026-ab", "short"),
        ("password12345", "common"),
        ("102030405060", "common"),
        ("erlan.nurlanov1", "like the name"),
    ],
)
def test_a_weak_password_is_refused(password, why):
    user = User(username="erlan.nurlanov", first_name="Erlan", last_name="Nurlanov")
    with pytest.raises(ValidationError):
        validate_password(password, user)


@pytest.mark.django_db
def test_the_admin_refuses_to_give_a_new_user_an_eleven_character_password(client, administrator):
    client.force_login(administrator)
    response = client.post(
        "/admin/core/user/add/",
        {"username": "new.clerk", "password1": "Qz7-kandas1", "password2": "Qz7-kandas1", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="new.clerk").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "password"), [(u[0], u[1]) for u in DEMO_USERS])
def test_the_demo_passwords_pass_the_policy(username, password):
    validate_password(password, User(username=username))


# --- Sessions left open ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_session_idle_for_thirty_minutes_is_ended(client, caseworker, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(caseworker)
    assert client.get("/admin/").status_code == 200
    time_machine.shift(datetime.timedelta(minutes=29))
    assert client.get("/admin/").status_code == 200
    time_machine.shift(datetime.timedelta(minutes=31))
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_a_busy_session_still_ends_twelve_hours_after_the_login(client, caseworker, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(caseworker)
    for _step in range(11 * 3):  # a request every 20 minutes for 11 hours
        time_machine.shift(datetime.timedelta(minutes=20))
        assert client.get("/admin/jsi18n/").status_code == 200
    time_machine.shift(datetime.timedelta(minutes=61))
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_session_cookie_lives_no_longer_than_twelve_hours():
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert datetime.timedelta(minutes=30) == settings.SESSION_IDLE_TIMEOUT


# --- A stolen password without the second factor ----------------------------------------------


@pytest.mark.django_db
@OTP_ROLES
@pytest.mark.parametrize("path", ["/admin/", "/admin/oralman/person/", "/admin/reports/"])
def test_an_analyst_without_a_verified_device_cannot_reach_admin_pages(client, analyst, path):
    client.force_login(analyst)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/otp/?next=")


@pytest.mark.django_db
@OTP_ROLES
def test_an_unverified_session_is_anonymous_to_the_api(client, administrator):
    client.force_login(administrator)
    assert client.get("/api/v1/regions/").status_code == 403


@pytest.mark.django_db
@OTP_ROLES
def test_an_analyst_who_enrols_a_totp_device_reaches_the_admin(client, analyst):
    client.force_login(analyst)
    page = client.get("/account/otp/?next=/admin/oralman/person/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=analyst, confirmed=False)
    response = client.post("/account/otp/", {"code": _code(device), "next": "/admin/oralman/person/"})
    assert response.status_code == 302 and response["Location"] == "/admin/oralman/person/"
    assert TOTPDevice.objects.get(user=analyst).confirmed
    assert client.get("/admin/oralman/person/").status_code == 200
    assert client.get("/api/v1/regions/").status_code == 200


@pytest.mark.django_db
@OTP_ROLES
def test_an_administrator_with_a_device_needs_the_current_code_in_each_new_session(client, administrator, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    device = TOTPDevice.objects.create(user=administrator, name="phone", confirmed=True)
    client.force_login(administrator)
    assert client.get("/admin/")["Location"].startswith("/account/otp/verify/?next=")
    wrong = client.post("/account/otp/verify/", {"code": str((int(_code(device)) + 1) % 1000000).zfill(6)})
    assert wrong.status_code == 200
    assert client.get("/admin/").status_code == 302
    time_machine.shift(datetime.timedelta(seconds=5))  # past django-otp's back-off after a wrong code
    assert client.post("/account/otp/verify/", {"code": _code(device), "next": "/admin/"}).status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
@OTP_ROLES
def test_a_caseworker_is_not_asked_for_a_second_factor_but_may_enrol(client, caseworker):
    client.force_login(caseworker)
    assert client.get("/admin/").status_code == 200
    assert client.get("/account/otp/").status_code == 200


@pytest.mark.django_db
@OTP_ROLES
def test_the_api_token_login_of_an_analyst_needs_the_totp_code(analyst):
    device = TOTPDevice.objects.create(user=analyst, name="phone", confirmed=True)
    client, address = APIClient(), _address()
    without = client.post("/api/v1/auth/token/", {"username": "analyst", "password": PASSWORD}, REMOTE_ADDR=address)
    assert without.status_code == 400 and "otp_token" in without.json()
    with_code = client.post(
        "/api/v1/auth/token/",
        {"username": "analyst", "password": PASSWORD, "otp_token": _code(device)},
        REMOTE_ADDR=address,
    )
    assert with_code.status_code == 201


def test_production_requires_the_second_factor_of_administrators_and_analysts():
    source = (settings.BASE_DIR / "config" / "settings" / "production.py").read_text()
    assert 'KANDAS_OTP_REQUIRED_ROLES", default=["administrator", "ministry_analyst"]' in source


# --- Tokens read from the database or the admin ----------------------------------------------


@pytest.mark.django_db
def test_an_api_token_is_stored_only_as_a_digest(caseworker):
    token, key = api_token_issue(user=caseworker, name="1C payroll")
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key.startswith("kandas_") and len(key) > 60
    assert all(key not in str(value) for value in row.values())
    assert len(row["token_key"]) == 15 and row["digest"] != key


@pytest.mark.django_db
def test_an_api_token_is_named_and_expires(caseworker, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    token, key = api_token_issue(user=caseworker, name="1C payroll", days=30)
    assert token.name == "1C payroll"
    assert token.expiry == timezone.now() + datetime.timedelta(days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/regions/").status_code == 200
    time_machine.shift(datetime.timedelta(days=31))
    assert client.get("/api/v1/regions/").status_code in (401, 403)
    assert not ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.django_db
def test_a_token_without_a_name_is_refused(caseworker):
    from core.errors import DomainError

    with pytest.raises(DomainError):
        api_token_issue(user=caseworker, name="  ")


@pytest.mark.django_db
def test_the_management_command_prints_a_named_token_once(caseworker):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", "caseworker", "--name", "e-Gov gateway", "--days", "7", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert ApiToken.objects.get(user=caseworker).name == "e-Gov gateway"
    assert key not in err.getvalue()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/regions/").status_code == 200


@pytest.mark.django_db
def test_the_token_login_gives_an_expiring_token_and_logout_revokes_it(caseworker):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "caseworker", "password": PASSWORD, "name": "laptop"},
        REMOTE_ADDR=_address(),
    )
    assert response.status_code == 201
    token = ApiToken.objects.get(user=caseworker)
    assert token.name == "laptop" and token.expiry <= timezone.now() + datetime.timedelta(hours=10)
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/regions/").status_code in (401, 403)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookup",
    [
        "auth_token_set__token_key__startswith=kandas_a",
        "auth_token_set__digest__startswith=a",
        "totpdevice__key__startswith=a",
        "password__startswith=md5",
    ],
)
def test_an_analyst_cannot_guess_a_secret_through_a_user_list_filter(client, analyst, caseworker, lookup):
    api_token_issue(user=caseworker, name="1C payroll")
    TOTPDevice.objects.create(user=caseworker, name="phone", confirmed=True)
    client.force_login(analyst)
    assert client.get("/admin/core/user/").status_code == 200
    assert client.get(f"/admin/core/user/?{lookup}").status_code == 400


@pytest.mark.django_db
def test_the_token_list_shows_no_key_digest_or_prefix_and_cannot_be_searched_by_them(client, administrator, caseworker):
    token, key = api_token_issue(user=caseworker, name="1C payroll")
    client.force_login(administrator)
    page = client.get("/admin/core/apitoken/").content.decode()
    assert "1C payroll" in page
    assert key not in page and token.digest not in page and token.token_key not in page
    assert client.get(f"/admin/core/apitoken/?token_key__startswith={key[:9]}").status_code == 400
    assert client.get(f"/admin/core/apitoken/?digest__startswith={token.digest[:3]}").status_code == 400
    assert "1C payroll" not in client.get(f"/admin/core/apitoken/?q={token.token_key}").content.decode()
    assert client.get("/admin/knox/authtoken/").status_code == 404  # knox's own admin lists digests


@pytest.mark.django_db
def test_an_administrator_issues_a_token_in_the_admin_and_sees_it_once(client, administrator, caseworker):
    client.force_login(administrator)
    response = client.post(
        "/admin/core/apitoken/add/", {"user": caseworker.pk, "name": "Statistics bureau", "days": 30}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=caseworker, name="Statistics bureau")
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and "kandas_" in shown[0]
    assert "kandas_" not in client.get("/admin/core/apitoken/").content.decode()
    assert token.expiry > timezone.now() + datetime.timedelta(days=29)


# --- Script injection and browser features ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/admin/", "/admin/oralman/person/", "/account/otp/"])
def test_admin_pages_forbid_inline_scripts_and_browser_features(client, administrator, path):
    if path != "/admin/login/":
        client.force_login(administrator)
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert script_src.split()[1:2] == ["'self'"] and "unsafe" not in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert "onchange=" not in response.content.decode()


@pytest.mark.django_db
def test_the_api_docs_start_up_script_carries_the_nonce(client, administrator):
    client.force_login(administrator)
    response = client.get("/api/docs/")
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.content.decode()


# --- Debug pages on a server -----------------------------------------------------------------


def test_debug_is_off_unless_the_environment_asks():
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env["KANDAS_ENV_FILE"] = ""  # a developer's local .env may set DEBUG; the default is what counts
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    script = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
                         cwd=settings.BASE_DIR, check=True)  # fmt: skip
    assert run.stdout.strip() == "False"
