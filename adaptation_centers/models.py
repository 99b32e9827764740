"""Adaptation and temporary accommodation centers: beds, placements (stays), services given.

Integrity lives in the database: a person's stays never overlap (an exclusion constraint over
date ranges, btree_gist), a person has at most one open stay, check-out never precedes check-in.
Capacity (a center never holds more occupants than beds) is kept by `placement_check_in`, which
locks the center row while it counts the beds taken.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import Func, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import track_changes
from core.models import LocalizedNameMixin, Region


class DateRange(Func):
    """PostgreSQL daterange(lower, upper, bounds); a NULL upper bound means "still open"."""

    function = "DATERANGE"
    output_field = DateRangeField()


class CenterKind(models.TextChoices):
    ADAPTATION = "adaptation", _("adaptation and integration center")
    TEMPORARY = "temporary", _("temporary accommodation center")


@track_changes
class Center(LocalizedNameMixin):
    """A center with beds. `max_stay_months` is the working maximum stay (DOMAIN.md: 6 months,
    configurable per center); a longer stay needs an extension with a recorded reason."""

    kind = models.CharField(_("kind"), max_length=20, choices=CenterKind.choices, default=CenterKind.ADAPTATION)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="centers")
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity, beds"))
    max_stay_months = models.PositiveSmallIntegerField(
        _("longest allowed stay, months"),
        default=6,
        help_text=_("The working maximum stay (6 months by default); longer only with a recorded reason."),
    )
    is_open = models.BooleanField(_("open"), default=True, help_text=_("A closed center accepts no check-ins."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("center")
        verbose_name_plural = _("centers")
        ordering = ["name_ru", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="center_has_beds"),
            models.CheckConstraint(condition=Q(max_stay_months__gt=0), name="center_positive_max_stay"),
        ]


@track_changes
class CenterStaff(models.Model):
    """A staff user (role center_staff) assigned to a center: they see and change only its rows."""

    center = models.ForeignKey(Center, verbose_name=_("center"), on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="center_assignments"
    )
    since = models.DateField(_("since"), default=datetime.date.today)

    class Meta:
        verbose_name = _("center staff member")
        verbose_name_plural = _("center staff")
        constraints = [models.UniqueConstraint(fields=["center", "user"], name="center_staff_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.center}"


class CheckOutReason(models.TextChoices):
    MOVED_TO_HOUSING = "housing", _("moved to own or rented housing")
    RESETTLED = "resettled", _("moved to the region of settlement")
    STAY_ENDED = "stay_ended", _("the allowed stay ended")
    LEFT_VOLUNTARILY = "voluntary", _("left of their own will")
    TRANSFERRED = "transferred", _("transferred to another center")
    RULES_BREACH = "rules_breach", _("breach of the center's rules")
    LEFT_COUNTRY = "left_country", _("left the country")
    OTHER = "other", _("other")


@track_changes
class Placement(models.Model):
    """A stay of a family or a single person in a center. `person` is the single person or the
    family's head (who receives the notices); the people who sleep there are the occupants."""

    center = models.ForeignKey(Center, verbose_name=_("center"), on_delete=models.PROTECT, related_name="placements")
    family = models.ForeignKey(
        "oralman.Family",
        verbose_name=_("family"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
    )
    person = models.ForeignKey(
        "oralman.Person",
        verbose_name=_("person or head of family"),
        on_delete=models.PROTECT,
        related_name="principal_placements",
    )
    beds = models.PositiveSmallIntegerField(_("beds"))
    check_in_on = models.DateField(_("checked in"))
    planned_check_out_on = models.DateField(_("planned check-out"))
    checked_out_on = models.DateField(_("checked out"), null=True, blank=True)
    check_out_reason = models.CharField(
        _("check-out reason"), max_length=20, choices=CheckOutReason.choices, blank=True
    )
    check_out_note = models.TextField(_("check-out note"), blank=True)
    # When the check-out was recorded: the desk may undo it for KANDAS_CHECKOUT_UNDO_MINUTES after.
    checked_out_at = models.DateTimeField(_("check-out recorded at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-check_in_on", "-id"]
        indexes = [
            models.Index(fields=["center", "checked_out_on"], name="placement_center_out_idx"),
            # The list's order, for the whole country and for one center's staff.
            models.Index(fields=["-check_in_on", "-id"], name="placement_check_in_idx"),
            models.Index(fields=["center", "-check_in_on", "-id"], name="placement_center_in_idx"),
            models.Index(
                fields=["planned_check_out_on"], condition=Q(checked_out_on__isnull=True), name="placement_open_due_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(beds__gt=0), name="placement_has_beds"),
            models.CheckConstraint(
                condition=Q(planned_check_out_on__gte=models.F("check_in_on")), name="placement_planned_after_in",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_on__isnull=True) | Q(checked_out_on__gte=models.F("check_in_on")),
                name="placement_out_after_in",
                violation_error_message=_("Check-out cannot be earlier than check-in."),
            ),
            models.CheckConstraint(
                condition=Q(checked_out_on__isnull=True, check_out_reason="")
                | (Q(checked_out_on__isnull=False) & ~Q(check_out_reason="")),
                name="placement_check_out_has_reason",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        if self.family_id:
            return _("Family of %(head)s in %(center)s") % {"head": self.person, "center": self.center}
        return _("%(person)s in %(center)s") % {"person": self.person, "center": self.center}

    @property
    def is_active(self) -> bool:
        return self.checked_out_on is None

    @property
    def state(self) -> str:
        """'active' while staying, then 'ended'; drives the admin's buttons."""
        return "active" if self.checked_out_on is None else "ended"

    def is_overstay(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.checked_out_on is None and self.planned_check_out_on < today

    def nights(self, today: datetime.date | None = None) -> int:
        end = self.checked_out_on or today or timezone.localdate()
        return (end - self.check_in_on).days


class ReferralSource(models.TextChoices):
    CASEWORKER = "caseworker", _("referred by the region's caseworker")
    DESK = "desk", _("arrival registered at the desk")


class ReferralState(models.TextChoices):
    OPEN = "open", _("open: expected at the center")
    PLACED = "placed", _("checked in")
    CANCELLED = "cancelled", _("cancelled")


@track_changes
class Referral(models.Model):
    """A person, or a family, sent to a center: by the region's caseworker, or registered at the
    desk by the center's clerk when they arrive unannounced. It is the only way a person comes
    into a center's reach: check-in finds persons among the open referrals to that center, and
    center staff see the files of persons referred to (or staying in) their centers only.
    `person` is the single person or the family's head; with `family` every current member is
    referred. Check-in closes the referral (`placed`, with the placement)."""

    center = models.ForeignKey(Center, verbose_name=_("center"), on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(
        "oralman.Person",
        verbose_name=_("person or head of family"),
        on_delete=models.PROTECT,
        related_name="center_referrals",
    )
    family = models.ForeignKey(
        "oralman.Family",
        verbose_name=_("family"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="center_referrals",
        help_text=_("Empty to refer the person alone."),
    )
    source = models.CharField(_("source"), max_length=20, choices=ReferralSource.choices)
    state = models.CharField(_("state"), max_length=20, choices=ReferralState.choices, default=ReferralState.OPEN)
    referred_on = models.DateField(_("referred on"), default=datetime.date.today)
    status_holder_reason = models.TextField(
        _("reason to house a status holder"),
        blank=True,
        help_text=_("A temporary accommodation center takes a kandas status holder only with a recorded reason."),
    )
    note = models.TextField(_("note"), blank=True)
    placement = models.ForeignKey(
        Placement,
        verbose_name=_("placement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral to a center")
        verbose_name_plural = _("referrals to centers")
        ordering = ["-referred_on", "-id"]
        permissions = [("register_arrival_referral", _("Can register an arrival at the center's desk"))]
        indexes = [
            models.Index(fields=["center", "state"], name="referral_center_state_idx"),
            models.Index(fields=["-referred_on", "-id"], name="referral_referred_idx"),  # the lists' order
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(state="open"), name="one_open_referral_per_person",
                violation_error_message=_("This person already has an open referral to a center."),
            ),
            models.CheckConstraint(
                condition=(Q(state="placed") & Q(placement__isnull=False)) | (~Q(state="placed") & Q(placement__isnull=True)),
                name="referral_placed_has_placement",
            ),
            models.CheckConstraint(
                condition=Q(state="open", closed_on__isnull=True) | (~Q(state="open") & Q(closed_on__isnull=False)),
                name="referral_closed_has_date",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        if self.family_id:
            return _("Family of %(head)s → %(center)s") % {"head": self.person, "center": self.center}
        return _("%(person)s → %(center)s") % {"person": self.person, "center": self.center}

    @property
    def is_open(self) -> bool:
        return self.state == ReferralState.OPEN


@track_changes
class PlacementOccupant(models.Model):
    """One person sleeping in a placement. Stays of the same person never overlap (database):
    the stay is the range [check_in_on, checked_out_on), open-ended while the person stays."""

    placement = models.ForeignKey(
        Placement, verbose_name=_("placement"), on_delete=models.CASCADE, related_name="occupants"
    )
    person = models.ForeignKey(
        "oralman.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="center_stays"
    )
    check_in_on = models.DateField(_("checked in"))
    checked_out_on = models.DateField(_("checked out"), null=True, blank=True)

    class Meta:
        verbose_name = _("occupant")
        verbose_name_plural = _("occupants")
        ordering = ["placement", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(checked_out_on__isnull=True), name="one_active_placement_per_person",
                violation_error_message=_("This person is already staying in a center."),
            ),
            ExclusionConstraint(
                name="occupant_stays_do_not_overlap",
                expressions=[
                    ("person", RangeOperators.EQUAL),
                    (DateRange("check_in_on", "checked_out_on", Value("[)")), RangeOperators.OVERLAPS),
                ],
                violation_error_message=_("This person's stays in centers overlap."),
            ),
            models.CheckConstraint(
                condition=Q(checked_out_on__isnull=True) | Q(checked_out_on__gte=models.F("check_in_on")),
                name="occupant_out_after_in",
            ),
            models.UniqueConstraint(fields=["placement", "person"], name="occupant_once_per_placement"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return str(self.person)


class PlacementExtension(models.Model):
    """A stay prolonged beyond its planned check-out, with the reason (who, when, why)."""

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("placement")
    )
    previous_check_out_on = models.DateField(_("previous planned check-out"))
    new_check_out_on = models.DateField(_("new planned check-out"))
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("stay extension")
        verbose_name_plural = _("stay extensions")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_check_out_on__gt=models.F("previous_check_out_on")), name="extension_moves_date_later"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="extension_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.previous_check_out_on} → {self.new_check_out_on}"


class PlacementAlert(models.Model):
    """A flag raised by the daily job: check-out approaching or stay overrun. One per placement,
    kind and planned date, so the job may run any number of times a day."""

    class Kind(models.TextChoices):
        CHECKOUT_APPROACHING = "checkout_approaching", _("check-out within 7 days")
        OVERSTAY = "overstay", _("stay overrun")

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("placement")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    due_on = models.DateField(_("planned check-out"))
    raised_on = models.DateField(_("raised on"))

    class Meta:
        verbose_name = _("placement alert")
        verbose_name_plural = _("placement alerts")
        ordering = ["-raised_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["placement", "kind", "due_on"], name="placement_alert_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.placement}"


class ServiceCategory(models.TextChoices):
    INFORMATION = "information", _("information")
    LEGAL = "legal", _("legal help")
    SOCIAL = "social", _("social help")
    MEDICAL = "medical", _("medical help")
    PSYCHOLOGICAL = "psychological", _("psychological help")
    EDUCATION = "education", _("education and language")
    EMPLOYMENT = "employment", _("employment and vocational training")
    DOCUMENTS = "documents", _("documents")
    HOUSING = "housing", _("housing")


class ServiceKind(LocalizedNameMixin):
    """A type of service from the centers' rules (reference data, loaded by a migration)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices)
    is_course = models.BooleanField(_("a course (with enrolment and attendance)"), default=False)
    is_language_course = models.BooleanField(_("a language course"), default=False)
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("kind of service")
        verbose_name_plural = _("kinds of service")
        ordering = ["position", "code"]


class LanguageLevel(models.TextChoices):
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"


class Outcome(models.TextChoices):
    GIVEN = "given", _("service given")
    IN_PROGRESS = "in_progress", _("in progress")
    EMPLOYMENT_FOUND = "employment_found", _("employment found")
    LANGUAGE_LEVEL = "language_level", _("language level reached")
    HOUSING_FOUND = "housing_found", _("moved to housing")
    DOCUMENTS_OBTAINED = "documents_obtained", _("documents obtained")
    REFERRED = "referred", _("referred to another body")
    DECLINED = "declined", _("declined by the person")


@track_changes
class ServiceRecord(models.Model):
    """One service given to one person in a center (a class logs one record per person present)."""

    center = models.ForeignKey(Center, verbose_name=_("center"), on_delete=models.PROTECT, related_name="services")
    person = models.ForeignKey(
        "oralman.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="center_services"
    )
    kind = models.ForeignKey(ServiceKind, verbose_name=_("kind of service"), on_delete=models.PROTECT)
    given_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2, default=1)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.GIVEN)
    language_level = models.CharField(_("language level"), max_length=2, choices=LanguageLevel.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    session = models.ForeignKey(
        "CourseSession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_records",
        verbose_name=_("session"),
    )
    batch = models.UUIDField(_("logged together"), null=True, blank=True, editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-given_on", "-id"]
        indexes = [
            models.Index(fields=["center", "-given_on"], name="service_center_date_idx"),
            models.Index(fields=["person", "-given_on"], name="service_person_date_idx"),
            # The lists' order (admin, API): the first page stops after 50 entries instead of
            # sorting every record; the caseworker's region (through the person) is checked per row.
            models.Index(fields=["-given_on", "-id"], name="service_given_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="service_hours_in_a_day"),
            models.CheckConstraint(
                condition=~Q(outcome="language_level") | ~Q(language_level=""),
                name="service_language_outcome_has_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.person} ({self.given_on})"


class Course(models.Model):
    """A class (e.g. Kazakh language) run by a center: enrolment and attendance per session."""

    center = models.ForeignKey(Center, verbose_name=_("center"), on_delete=models.PROTECT, related_name="courses")
    kind = models.ForeignKey(
        ServiceKind, verbose_name=_("kind of service"), on_delete=models.PROTECT, limit_choices_to={"is_course": True}
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("teacher"), on_delete=models.PROTECT, null=True, blank=True
    )
    hours_per_session = models.DecimalField(_("hours per session"), max_digits=4, decimal_places=2, default=2)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="course_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.title


class CourseEnrolment(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(
        "oralman.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="course_enrolments"
    )
    enrolled_on = models.DateField(_("enrolled"), default=datetime.date.today)
    final_level = models.CharField(_("level reached"), max_length=2, choices=LanguageLevel.choices, blank=True)

    class Meta:
        verbose_name = _("course enrolment")
        verbose_name_plural = _("course enrolments")
        ordering = ["course", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "person"], name="enrolment_once_per_course")]

    def __str__(self) -> str:
        return f"{self.person} — {self.course}"


class CourseSession(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("held on"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2)
    topic = models.CharField(_("topic"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("course session")
        verbose_name_plural = _("course sessions")
        ordering = ["-held_on", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "held_on"], name="course_session_once_a_day")]

    def __str__(self) -> str:
        return f"{self.course} {self.held_on}"


class Attendance(models.Model):
    session = models.ForeignKey(
        CourseSession, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session")
    )
    enrolment = models.ForeignKey(
        CourseEnrolment, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("enrolment")
    )
    present = models.BooleanField(_("present"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once_per_session")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} @ {self.session_id}: {'+' if self.present else '-'}"


class PlanItem(models.Model):
    """A line of a resident's individual adaptation plan: a service planned, and when it is given."""

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="plan_items", verbose_name=_("placement")
    )
    person = models.ForeignKey("oralman.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    kind = models.ForeignKey(ServiceKind, verbose_name=_("kind of service"), on_delete=models.PROTECT)
    planned_by = models.DateField(_("planned by"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("adaptation plan item")
        verbose_name_plural = _("individual adaptation plan")
        ordering = ["planned_by", "id"]
        constraints = [models.UniqueConstraint(fields=["placement", "person", "kind"], name="plan_item_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.person}: {self.kind}"
