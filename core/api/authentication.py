from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication

from core.security import otp_pending


class VerifiedSessionAuthentication(SessionAuthentication):
    """The admin's session, for the browsable API and the docs, only once the user has passed the
    second factor their role requires (otherwise the request is anonymous)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or otp_pending(request._request.user):
            return None
        return result


class VerifiedSessionScheme(SessionScheme):
    """The OpenAPI schema describes it as the ordinary session cookie."""

    target_class = "core.api.authentication.VerifiedSessionAuthentication"
