"""Which printouts a user may make or see: those of the cases in the user's scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from citizenship.selectors import application_list
from documents.models import IssuedDocument
from oralman.selectors import status_list


def issued_document_list(*, user) -> QuerySet[IssuedDocument]:
    statuses = status_list(user=user).values("pk")
    applications = application_list(user=user).values("pk")
    return IssuedDocument.objects.filter(
        Q(kandas_status__in=statuses) | Q(citizenship_application__in=applications)
    ).select_related("kandas_status__person", "citizenship_application__person", "issued_by")
