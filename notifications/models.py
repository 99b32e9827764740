"""The notification outbox, its delivery attempts, and the message templates (issue 7)."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.events import Event


class Language(models.TextChoices):
    RUSSIAN = "ru", _("Russian")
    KAZAKH = "kk", _("Kazakh")
    ENGLISH = "en", _("English")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")


class NotificationTemplate(models.Model):
    """The text of one event in one language, in Django's template language; editable by administrators."""

    event = models.CharField(_("event"), max_length=60, choices=Event.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=250, help_text=_("E-mail subject (one line)."))
    body = models.TextField(_("e-mail text"))
    sms_text = models.TextField(
        _("SMS text"), blank=True, help_text=_("Short text for SMS; when empty, the subject is sent.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["event", "language"]
        constraints = [models.UniqueConstraint(fields=["event", "language"], name="one_template_per_event_language")]

    def __str__(self) -> str:
        return f"{self.event} [{self.language}]"


class Notification(models.Model):
    """One message to one recipient, written in the transaction of the event that causes it.

    States: pending (waiting for its next attempt) -> sending (claimed by a worker; the claim has a
    lease) -> sent, or back to pending with a backoff, or failed after the last attempt. A row left
    in `sending` after its lease ran out means a worker died mid-delivery: the next attempt is
    recorded as a retry and reuses the same idempotency key."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    event = models.CharField(_("event"), max_length=60, choices=Event.choices)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    person = models.ForeignKey(
        "oralman.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=Channel.choices,
        blank=True,
        help_text=_("Empty when the recipient had neither an e-mail address nor a phone."),
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("text"))
    context = models.JSONField(_("context"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    resends = models.PositiveSmallIntegerField(
        _("re-sends"), default=0, help_text=_("Times an administrator asked to send it again.")
    )
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_expires_at = models.DateTimeField(_("claim expires"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("message id at the channel"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="notification_due_idx"),
            models.Index(fields=["lease_expires_at"], condition=Q(state="sending"), name="notification_lease_idx"),
            models.Index(fields=["-created_at", "-id"], name="notification_created_idx"),
            models.Index(fields=["sent_at"], name="notification_sent_idx"),
            models.Index(fields=["failed_at"], name="notification_failed_idx"),
            models.Index(fields=["region", "state"], name="notification_region_state_idx"),
            models.Index(fields=["region", "-created_at", "-id"], name="notif_region_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, user__isnull=True) | Q(person__isnull=True, user__isnull=False),
                name="notification_one_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False), name="notification_sent_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(state="sending") | Q(lease_expires_at__isnull=False), name="notification_sending_leased"
            ),
            models.CheckConstraint(condition=Q(channel="") | ~Q(address=""), name="notification_channel_has_address"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.get_state_display()})"

    @property
    def recipient(self):
        return self.person if self.person_id else self.user

    @property
    def channel_key(self) -> str:
        """The idempotency key handed to the channel: the same for every retry of one sending,
        fresh for each re-send an administrator asks for (otherwise the gateway would drop it)."""
        return self.key if not self.resends else f"{self.key}#resend-{self.resends}"


class DeliveryAttempt(models.Model):
    """One try to hand a notification to its channel (the attempt log)."""

    class Outcome(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        SENT = "sent", _("handed to the channel")
        ERROR = "error", _("error")
        WORKER_LOST = "worker_lost", _("worker lost; outcome unknown")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    channel_key = models.CharField(_("idempotency key sent"), max_length=220)
    key_accepted_by_channel = models.BooleanField(
        _("channel honours the key"), default=False, help_text=_("If not, a retry may reach the recipient twice.")
    )
    is_retry = models.BooleanField(_("retry"), default=False)
    retry_after_lost_worker = models.BooleanField(
        _("retry after a lost worker"),
        default=False,
        help_text=_("The previous attempt may have reached the channel before its worker died."),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.IN_PROGRESS)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["notification", "number"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "number"], name="one_attempt_per_number"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.get_outcome_display()}"
