"""The read log: who opened which person's full record, a document file or a printout, and the
alert raised when one user opens an unusual number of person files in an hour (Law on Personal
Data No. 94-V: access to personal data is logged). docs/audit.md"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReadKind(models.TextChoices):
    PERSON = "person", _("person file")
    FAMILY = "family", _("family file")
    DOCUMENT_FILE = "document_file", _("document file")
    PRINTOUT = "printout", _("printout (PDF)")


class ReadLogEntry(models.Model):
    """One read of personal data: written with one INSERT, never changed or deleted (the database
    refuses UPDATE and DELETE)."""

    at = models.DateTimeField(_("when"), default=timezone.now)
    # Foreign keys without their own index: the composite indexes below serve every lookup, and
    # each index less is cheaper for the one INSERT per read.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user"), db_index=False
    )
    kind = models.CharField(_("what"), max_length=20, choices=ReadKind.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("record type"), db_index=False
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    # No database constraint: the log outlives the row and is never in the way of a merge or a purge.
    person = models.ForeignKey(
        "oralman.Person", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, null=True,
        blank=True, related_name="+", verbose_name=_("person"),
    )  # fmt: skip
    path = models.CharField(_("address"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("read log entry")
        verbose_name_plural = _("read log entries")
        ordering = ["-id"]
        indexes = [
            # The alert's count (distinct persons of one user in the last hour) reads this index only.
            models.Index(fields=["user", "at"], include=["person"], name="readlog_user_at"),
            models.Index(fields=["person", "at"], name="readlog_person_at"),
            BrinIndex(fields=["at"], name="readlog_at_brin"),
        ]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {self.object_id}"


class ReadAlert(models.Model):
    """One user read more distinct person files in an hour than KANDAS_READ_ALERT_PER_HOUR allows.
    At most one alert per user and clock hour; administrators mark it reviewed, nobody deletes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    window_start = models.DateTimeField(_("hour"))
    persons_count = models.PositiveIntegerField(_("files opened in the hour"))
    threshold = models.PositiveIntegerField(_("allowed per hour"))
    created_at = models.DateTimeField(_("raised"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reviewed by"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("read alert")
        verbose_name_plural = _("read alerts")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "window_start"], name="one_read_alert_per_user_hour")]
        triggers = [pgtrigger.Protect(name="never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.user} {self.window_start:%Y-%m-%d %H:00} ({self.persons_count})"
