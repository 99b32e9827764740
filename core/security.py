"""Account protection around the login: session lifetimes, the second factor, lock-out pages.

* :class:`SessionTimeoutMiddleware` ends a session after ``SESSION_IDLE_TIMEOUT`` without a
  request and ``SESSION_ABSOLUTE_TIMEOUT`` after the login, whatever the cookie says.
* :class:`OTPRequiredMiddleware` sends a user whose role is in ``KANDAS_OTP_REQUIRED_ROLES`` to
  the TOTP enrol or verify page until the session is verified (django-otp); the API's session
  authentication asks :func:`otp_pending` too.
* :func:`client_ip` and :func:`lockout_response` are django-axes' hooks (address behind a proxy,
  the translated lock-out page or a JSON 429 for the API).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.roles import role_of

LOGIN_AT = "kandas_login_at"
SEEN_AT = "kandas_seen_at"
# The last-seen time is written at most this often (seconds), not on every request.
SEEN_RESOLUTION = 60


def _now() -> float:
    return timezone.now().timestamp()


@receiver(user_logged_in, dispatch_uid="core.security.stamp_login")
def stamp_login(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[LOGIN_AT] = session[SEEN_AT] = _now()


def session_expired(session) -> bool:
    now = _now()
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        return False
    idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
    absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
    return now - seen_at > idle or now - login_at > absolute


class SessionTimeoutMiddleware:
    """Idle and absolute session timeouts for signed-in users (all are staff)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            if session_expired(session):
                logout(request)
            else:
                now = _now()
                session.setdefault(LOGIN_AT, now)
                if now - session.get(SEEN_AT, 0) > SEEN_RESOLUTION:
                    session[SEEN_AT] = now
        return self.get_response(request)


def otp_required(user) -> bool:
    role = role_of(user)
    return role is not None and role.value in settings.KANDAS_OTP_REQUIRED_ROLES


def otp_pending(user) -> bool:
    """Signed in with a password but still owes the second factor its role requires."""
    if not user.is_authenticated or not otp_required(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified and is_verified())


# Reachable before the second factor: the OTP pages themselves, logging in and out, the language
# switch, static files, the public verification page, the health check. The API decides for
# itself (core.api.authentication treats an unverified session as no session).
OTP_EXEMPT_PREFIXES = ("/account/otp/", "/admin/login/", "/admin/logout/", "/admin/jsi18n/", "/i18n/",
                       "/static/", "/verify/", "/healthz", "/api/")  # fmt: skip


class OTPRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(OTP_EXEMPT_PREFIXES) and otp_pending(request.user):
            from django_otp import user_has_device

            page = "otp-verify" if user_has_device(request.user) else "otp-enrol"
            return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def client_ip(request) -> str | None:
    """The caller's address for django-axes: REMOTE_ADDR, or the address the trusted proxies
    saw (KANDAS_TRUSTED_PROXY_COUNT hops from the right of X-Forwarded-For)."""
    meta = getattr(request, "META", {})
    hops = settings.KANDAS_TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return meta.get("REMOTE_ADDR")


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed login attempts. This account is locked on this computer for %(minutes)s minutes; "
        "try again later or ask an administrator to unlock it."
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lock-out: a JSON 429 for the API, the translated page for everything else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    return render(request, "registration/locked_out.html", {"message": lockout_message()}, status=429)


# django-axes' model names, for the Kazakh catalogue of core (the package ships none for Kazakh).
AXES_MODEL_NAMES = [
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
]
