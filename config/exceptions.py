"""One place where rule violations become HTTP answers: 400 with a translated message."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from core.errors import DomainError


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        detail = exc.as_dict()
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, IntegrityError):
        return Response(
            {"detail": _("The change conflicts with existing data and was not saved.")},
            status=status.HTTP_409_CONFLICT,
        )
    return exception_handler(exc, context)
