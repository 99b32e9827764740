"""Token login and logout for API clients.

``POST auth/token/`` takes a username and password (and the TOTP code where the role requires
the second factor) and returns a named token that expires after REST_KNOX's TOKEN_TTL. Failed
passwords count towards django-axes' lock-out like the admin login; the ``auth`` throttle scope
limits the rate. Integrations get longer-lived tokens from ``manage.py issue_api_token``.
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_otp import match_token
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.settings import knox_settings
from knox.views import LogoutView
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.security import lockout_message, otp_required
from core.services import api_token_issue


class TokenLoginInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp_token = serializers.CharField(max_length=16, required=False, allow_blank=True)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)


class TokenLoginView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(
        request=TokenLoginInput,
        responses={
            201: inline_serializer(
                "TokenLoginOutput",
                {
                    "token": serializers.CharField(),
                    "name": serializers.CharField(),
                    "expiry": serializers.DateTimeField(),
                },
            )
        },
    )
    def post(self, request):
        data = TokenLoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = authenticate(request._request, username=values["username"], password=values["password"])
        if getattr(request._request, "axes_locked_out", False):
            return Response({"detail": lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None:
            return Response({"detail": _("Wrong username or password.")}, status=status.HTTP_400_BAD_REQUEST)
        code = (values.get("otp_token") or "").strip()
        if otp_required(user) and (not code or match_token(user, code) is None):
            return Response(
                {"otp_token": [_("Enter the current code from your authenticator app.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        hours = int(knox_settings.TOKEN_TTL.total_seconds() // 3600)
        token, key = api_token_issue(user=user, name=values.get("name") or _("API login"), hours=hours)
        return Response({"token": key, "name": token.name, "expiry": token.expiry}, status=status.HTTP_201_CREATED)


class TokenLogoutView(LogoutView):
    """Revokes the token the request was made with."""

    throttle_scope = "auth"

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format)
