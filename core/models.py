import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from core.files import PrivateFileField, random_name


class NameInActiveLanguage:
    """`.name` is `name_<active language>`, falling back to Russian (for models with
    name_ru / name_kk / name_en fields)."""

    @property
    def name(self) -> str:
        lang = (get_language() or "ru")[:2]
        return getattr(self, f"name_{lang}", None) or self.name_ru

    name.fget.short_description = _("name")  # the admin's column header


class LocalizedNameMixin(NameInActiveLanguage, models.Model):
    """Reference rows named in the three working languages; `.name` follows the active one."""

    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class Region(LocalizedNameMixin):
    """A region or a city of republican significance (since the reform of 8 June 2022)."""

    class Kind(models.TextChoices):
        REGION = "region", _("region")
        CITY = "city", _("city of republican significance")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGION)
    administrative_centre = models.CharField(_("administrative centre"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name_ru"]


class Country(LocalizedNameMixin):
    """A country of ISO 3166-1."""

    iso2 = models.CharField(_("ISO alpha-2 code"), max_length=2, unique=True)
    iso3 = models.CharField(_("ISO alpha-3 code"), max_length=3, unique=True)
    numeric = models.CharField(_("ISO numeric code"), max_length=3, unique=True)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_ru"]


class TransitionRecord(models.Model):
    """One move of a case through its states: who, when, why. A subclass adds the case's foreign
    key and `from_state` / `to_state` with its own choices."""

    actor = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"


# Who may do what is audited like a case: role (group) changes, region, activity and the admin
# flags. The password hash is never copied into the audit table; a change of it is recorded as a
# "password.change" event (with the other fields, so the event says whose password it was).
USER_AUDITED_FIELDS = [
    "username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser", "region",
    "phone", "preferred_language", "date_joined",
]  # fmt: skip


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.UpdateEvent("password.change", condition=pghistory.AnyChange("password")),
    pghistory.DeleteEvent(),
    fields=USER_AUDITED_FIELDS,
    model_name="UserEvent",
)
class User(AbstractUser):
    """A member of staff. The role is the user's group (core.roles); the region scopes a
    caseworker's cases; center staff are tied to their center in adaptation_centers."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("Caseworkers see and change only the cases of this region."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=[("ru", "Русский"), ("kk", "Қазақша"), ("en", "English")],
        default="ru",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


def export_upload_to(instance: "ReportExport", filename: str) -> str:
    return random_name("exports", filename)


@pghistory.track(
    pghistory.InsertEvent("group.add"),
    pghistory.DeleteEvent("group.remove"),
    model_name="UserGroupEvent",
)
class UserGroup(User.groups.through):
    """A user's membership of a role group (the m2m row), audited: adding or removing a role is an
    event with the acting user, like any change of a case."""

    class Meta:
        proxy = True
        verbose_name = _("role membership")
        verbose_name_plural = _("role memberships")


class ReportExport(models.Model):
    """A report computed in the background (a Celery job) and left as a file to download."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    report = models.CharField(_("report"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")], default="xlsx")
    requested_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    file = PrivateFileField(_("file"), upload_to=export_upload_to, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # When its job was handed to the broker; empty until then (the dispatcher publishes it).
    dispatched_at = models.DateTimeField(_("handed to the job queue"), null=True, blank=True)

    class Meta:
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.report}.{self.format} ({self.get_state_display()})"


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only its SHA-512 digest and a short lookup prefix are
    stored, so neither the database nor the admin can show it again. Named after the integration
    that holds it, and always expiring."""

    # A plain number identifies the row in URLs and forms (knox makes the digest the key).
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=128, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auth_token_set", verbose_name=_("user")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    name = models.CharField(_("name"), max_length=100, help_text=_("The integration or person that holds the token."))
    # Never open-ended (knox allows a null expiry; this project does not).
    expiry = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class CalendarOverride(models.Model):
    """A day the Government moved by decree after the `holidays` package was released: an extra day
    off, or an extra working day (a Saturday worked in exchange). It wins over the package's calendar,
    so a new decree needs no release (DOMAIN.md, working days)."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("extra day off")
        WORKING_DAY = "working_day", _("extra working day")

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    decree = models.CharField(
        _("decree"), max_length=300, help_text=_("The Government decree that moved the day (number and date).")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y}: {self.get_kind_display()}"

    # Only cache bookkeeping, no rule: the working-day calendar re-reads the table after a change.
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from core.workdays import clear_overrides_cache

        clear_overrides_cache()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        from core.workdays import clear_overrides_cache

        clear_overrides_cache()
        return result
