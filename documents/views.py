"""The public verification pages: no login. One says whether a printed document is genuine and
valid, its number and the holder's initials, nothing else (documents.services.Verification); the
other takes a typed code and opens the first. Both are rate-limited per client address and speak
Russian, Kazakh or English (?lang=)."""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.security import client_ip
from documents.models import normalise_code
from documents.services import verification_for


def _language(request) -> str | None:
    """?lang=kk switches the page (and keeps the choice in the language cookie)."""
    chosen = request.GET.get("lang", "")
    if chosen in dict(settings.LANGUAGES):
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        return chosen
    return None


def _too_many(request) -> bool:
    """More lookups from one address within a minute than KANDAS_VERIFY_RATE_PER_MINUTE."""
    key = f"verify-rate:{client_ip(request) or 'unknown'}:{timezone.now():%Y%m%d%H%M}"
    if cache.add(key, 1, timeout=70):
        return False
    try:
        return cache.incr(key) > settings.KANDAS_VERIFY_RATE_PER_MINUTE
    except ValueError:
        return False


def _answer(request, template: str, context: dict, status: int = 200, chosen: str | None = None):
    if _too_many(request):
        template, context, status = "documents/verify_rate_limited.html", {}, 429
    response = render(request, template, context | {"languages": settings.LANGUAGES}, status=status)
    if status == 429:
        response["Retry-After"] = "60"
    if chosen:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, chosen, samesite="Lax", max_age=365 * 24 * 3600)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@never_cache
def verify(request, code: str):
    chosen = _language(request)  # first: the document's kind is named in the page's language
    verification = verification_for(code)
    status = 200 if verification else 404
    return _answer(request, "documents/verify.html", {"verification": verification}, status, chosen)


@require_GET
@never_cache
def enter_code(request):
    """A form for the code printed under the QR: a typed code opens the same verification page."""
    code = normalise_code(request.GET.get("code", ""))
    if code and not _too_many(request):
        url = reverse("documents:verify", args=[code])
        lang = request.GET.get("lang", "")
        return redirect(f"{url}?lang={lang}" if lang in dict(settings.LANGUAGES) else url)
    typed = request.GET.get("code", "")
    context = {"typed": typed, "unreadable": bool(typed) and not code}
    return _answer(request, "documents/enter_code.html", context, chosen=_language(request))
