"""Which printouts a user may make or see: those of the cases in the user's scope."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from citizenship.selectors import application_list
from documents.models import IssuedDocument
from oralman.selectors import status_list


def issued_document_list(*, user) -> QuerySet[IssuedDocument]:
    # EXISTS per issued document (not `IN (every status of the scope)`): the planner probes the
    # status / application of each printout by its key instead of hashing the whole region's
    # statuses and applications on every request (2.3 s at 1,000,000 persons, issue 16).
    statuses = status_list(user=user).filter(pk=OuterRef("kandas_status_id"))
    applications = application_list(user=user).filter(pk=OuterRef("citizenship_application_id"))
    return IssuedDocument.objects.filter(Exists(statuses) | Exists(applications)).select_related(
        "kandas_status__person", "citizenship_application__person", "issued_by"
    )
