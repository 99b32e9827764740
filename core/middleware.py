from django.conf import settings
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
