"""Printed documents the system issues (the kandas certificate, the citizenship decision
letter), each with an unguessable verification code for the public verification page."""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import track_changes


def new_code() -> str:
    """80 random bits as 16 base32 letters in groups of four (XXXX-XXXX-XXXX-XXXX)."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_code(value: str) -> str:
    """What a person typed, in the stored form: upper case, dashes in place, no spaces."""
    compact = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    if len(compact) != 16:
        return ""
    return "-".join(compact[i : i + 4] for i in range(0, 16, 4))


@track_changes
class IssuedDocument(models.Model):
    class Kind(models.TextChoices):
        KANDAS_CERTIFICATE = "kandas_certificate", _("kandas certificate")
        CITIZENSHIP_DECISION = "citizenship_decision", _("citizenship decision letter")

    class Language(models.TextChoices):
        RUSSIAN = "ru", _("Russian")
        KAZAKH = "kk", _("Kazakh")

    code = models.CharField(_("verification code"), max_length=19, unique=True, default=new_code, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    kandas_status = models.ForeignKey(
        "oralman.KandasStatus", on_delete=models.PROTECT, null=True, blank=True, related_name="issued_documents",
        verbose_name=_("kandas status"),
    )  # fmt: skip
    citizenship_application = models.ForeignKey(
        "citizenship.CitizenshipApplication", on_delete=models.PROTECT, null=True, blank=True,
        related_name="issued_documents", verbose_name=_("citizenship application"),
    )  # fmt: skip
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("issued by"),
    )  # fmt: skip
    cancelled_at = models.DateTimeField(
        _("cancelled"), null=True, blank=True, help_text=_("A cancelled printout no longer verifies as valid.")
    )

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["-issued_at", "-id"], name="issueddoc_issued_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="kandas_certificate", kandas_status__isnull=False, citizenship_application__isnull=True)
                           | Q(kind="citizenship_decision", kandas_status__isnull=True, citizenship_application__isnull=False)),
                name="issued_document_refers_to_its_kind",
            ),
            # One printout (one code) per object and language: printing again gives the same code.
            models.UniqueConstraint(fields=["kandas_status", "language"], condition=Q(kandas_status__isnull=False),
                                    name="one_certificate_per_status_language"),
            models.UniqueConstraint(fields=["citizenship_application", "language"],
                                    condition=Q(citizenship_application__isnull=False),
                                    name="one_decision_per_application_language"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code} ({self.language})"

    @property
    def subject(self):
        return self.kandas_status if self.kind == self.Kind.KANDAS_CERTIFICATE else self.citizenship_application
