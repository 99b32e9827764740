"""The public verification page: no login; it says whether a printed document is genuine and
valid, its number and the holder's initials; nothing else (documents.services.Verification)."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from documents.services import verification_for


@require_GET
@never_cache
def verify(request, code: str):
    verification = verification_for(code)
    response = render(request, "documents/verify.html", {"verification": verification})
    if verification is None:
        response.status_code = 404
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
