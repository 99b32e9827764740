from urllib.parse import unquote_plus

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation


class DefaultLanguageMiddleware:
    """Russian unless the user chose otherwise (the language switcher's cookie); the browser's
    Accept-Language is ignored, so a clerk's English-language browser still gets the Russian desk."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulBytesMiddleware:
    """A NUL byte in the path or the query string is never a real request: answer 400 at once.

    PostgreSQL cannot store or compare text containing NUL, so without this a ``%00`` in an id,
    a search box or a filter reached the database and answered 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = unquote_plus(request.META.get("QUERY_STRING", ""))
        if "\x00" in request.path or "\x00" in request.path_info or "\x00" in query:
            return HttpResponseBadRequest(b"Bad request: NUL byte in the address.", content_type="text/plain")
        return self.get_response(request)
