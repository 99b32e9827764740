"""Citizenship of Kazakhstan: applications by the simplified (registration) procedure and the
general procedure, their decisions, and the historical admission counts the ministry quotes."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.audit import track_changes
from core.iin import validate_iin
from core.models import Country, NameInActiveLanguage, Region, TransitionRecord
from oralman.models import Document, DocumentType, Person


class Basis(models.TextChoices):
    ORALMAN = "oralman", _("kandas (oralman), simplified procedure")
    BORN_IN_KAZAKHSTAN = "born_in_kz", _("born in Kazakhstan, simplified procedure")
    FORMER_CITIZEN = "former_citizen", _("former citizen of Kazakhstan, simplified procedure")
    FAMILY_OF_CITIZEN = "family_of_citizen", _("family member of a citizen, simplified procedure")
    GENERAL = "general", _("general procedure")


# The simplified bases are decided by registration with the internal-affairs bodies (Law "On
# Citizenship" art. 30 p. 4); only the general procedure is decided by a Presidential decree.
SIMPLIFIED_BASES = [Basis.ORALMAN, Basis.BORN_IN_KAZAKHSTAN, Basis.FORMER_CITIZEN, Basis.FAMILY_OF_CITIZEN]

# Minor children follow a parent's admission: under this age without further ado, from it until
# adulthood with their written consent recorded (DOMAIN.md "Citizenship").
CHILD_CONSENT_FROM_AGE = 14
ADULT_AGE = 18


class State(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    UNDER_REVIEW = "under_review", _("under review")
    RETURNED = "returned", _("returned for documents")
    # A context: the status application's "granted" means "status granted" in Russian and Kazakh.
    GRANTED = "granted", pgettext_lazy("citizenship application state", "granted")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")


# An application is open (and blocks a second one) until it is decided or withdrawn.
OPEN_STATES = [State.SUBMITTED, State.UNDER_REVIEW, State.RETURNED]
# The deadline runs while the authority holds the file.
CLOCK_RUNNING_STATES = [State.SUBMITTED, State.UNDER_REVIEW]
DECIDED_STATES = [State.GRANTED, State.REFUSED]


class LocalizedName(NameInActiveLanguage, models.Model):
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class CitizenshipRule(models.Model):
    """Dated, configurable rules of the procedure; the one in force on a date is the latest
    `valid_from` not after it (DOMAIN.md: the decision is due within 3 months)."""

    valid_from = models.DateField(_("in force from"), unique=True)
    decision_months = models.PositiveSmallIntegerField(
        _("decision deadline, months"), default=3, help_text=_("Months from submission to the decision.")
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("citizenship rule")
        verbose_name_plural = _("citizenship rules")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(decision_months__gt=0), name="citizenship_rule_positive_deadline")
        ]

    def __str__(self) -> str:
        return _("Citizenship rules from %(date)s") % {"date": self.valid_from}


class RequiredDocument(models.Model):
    """A document type a basis needs before a grant (configurable list, seeded by a migration)."""

    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    doc_type = models.CharField(_("document type"), max_length=30, choices=DocumentType.choices)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["basis", "doc_type"]
        constraints = [models.UniqueConstraint(fields=["basis", "doc_type"], name="required_document_unique")]

    def __str__(self) -> str:
        return f"{self.get_basis_display()}: {self.get_doc_type_display()}"


class CitizenshipRefusalGround(LocalizedName):
    """A ground on which citizenship may be refused (a policy list, editable)."""

    code = models.SlugField(_("code"), unique=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("citizenship refusal ground")
        verbose_name_plural = _("citizenship refusal grounds")
        ordering = ["code"]


@track_changes
class CitizenshipApplication(models.Model):
    """An application for citizenship of Kazakhstan, filed in a region. On the simplified bases
    (kandas among them) the internal-affairs body registers the admission (body, registration
    number and date); on the general basis the same three fields record the Presidential decree."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="citizenship_applications", verbose_name=_("applicant")
    )
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="citizenship_applications", verbose_name=_("region filed")
    )
    former_citizenship = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("former citizenship"),
        help_text=_("The citizenship the applicant renounces; empty for a stateless person."),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SUBMITTED)
    submitted_on = models.DateField(_("submitted on"))
    decision_due = models.DateField(_("decision due"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    registering_body = models.CharField(
        _("registering body"), max_length=300, blank=True,
        help_text=_("The internal-affairs body that registered the admission (the President for the general procedure)."),
    )  # fmt: skip
    registration_number = models.CharField(_("registration number"), max_length=50, blank=True)
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    iin_assigned = models.CharField(_("IIN assigned"), max_length=12, blank=True, validators=[validate_iin])
    refusal_ground = models.ForeignKey(
        CitizenshipRefusalGround, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("refusal ground")
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    documents = models.ManyToManyField(
        Document,
        through="ApplicationDocument",
        related_name="citizenship_applications",
        blank=True,
        verbose_name=_("documents"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("citizenship application")
        verbose_name_plural = _("citizenship applications")
        ordering = ["-submitted_on", "-id"]
        indexes = [
            models.Index(fields=["region", "state", "-submitted_on"], name="citapp_region_state_idx"),
            models.Index(fields=["-submitted_on", "-id"], name="citapp_submitted_idx"),
            models.Index(fields=["region", "-submitted_on", "-id"], name="citapp_region_sub_idx"),
            # The admin's "=iin_assigned" and "=registration_number" search fields: a term without
            # letters is compared as it is (core.search), one with letters as UPPER(col) = UPPER(term).
            models.Index(fields=["iin_assigned"], name="citapp_iin_assigned_idx"),
            models.Index(Upper("registration_number"), name="citapp_registration_up_idx"),
            models.Index(fields=["registration_number"], name="citapp_registration_idx"),
            models.Index(fields=["decision_due"], condition=Q(state__in=["submitted", "under_review"]), name="citapp_open_due_idx"),
            models.Index(fields=["decided_on"], condition=Q(state__in=["granted", "refused"]), name="citapp_decided_idx"),
        ]  # fmt: skip
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(state__in=["submitted", "under_review", "returned"]),
                name="one_open_citizenship_application_per_person",
                violation_error_message=_("This person already has an open citizenship application."),
            ),
            models.CheckConstraint(
                condition=~Q(state="refused") | Q(refusal_ground__isnull=False, decided_on__isnull=False),
                name="citizenship_refusal_has_ground",
            ),
            models.CheckConstraint(
                condition=~Q(state="granted") | (
                    Q(decided_on__isnull=False, registration_date__isnull=False) & ~Q(registering_body="")
                    & ~Q(registration_number="") & ~Q(iin_assigned="")
                ),
                name="citizenship_grant_has_registration_and_iin",
            ),
            models.CheckConstraint(condition=Q(decision_due__gt=models.F("submitted_on")), name="citizenship_due_after_submission"),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=models.F("submitted_on")),
                name="citizenship_decided_after_submission",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return _("Citizenship application No. %(id)s: %(person)s") % {"id": self.pk, "person": self.person}

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Still with the authority after the legal deadline."""
        today = today or timezone.localdate()
        return self.state in CLOCK_RUNNING_STATES and self.decision_due < today

    @property
    def is_oralman(self) -> bool:
        return self.basis == Basis.ORALMAN

    @property
    def is_registration(self) -> bool:
        """Decided by registration with the internal-affairs bodies (every simplified basis)."""
        return self.basis in SIMPLIFIED_BASES


class FollowingChild(models.Model):
    """A minor child on the applicant's family file who follows the parent into citizenship
    (DOMAIN.md: under 14 with the parent, 14 to 18 with their written consent recorded).
    A row is written when a consent is recorded and at the grant for every child who followed."""

    application = models.ForeignKey(
        CitizenshipApplication, on_delete=models.CASCADE, related_name="children", verbose_name=_("application")
    )
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("child"))
    consent_on = models.DateField(_("written consent recorded on"), null=True, blank=True)
    consent_document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("consent document"),
    )  # fmt: skip
    followed_on = models.DateField(_("citizen with the parent since"), null=True, blank=True)

    class Meta:
        verbose_name = _("child following the parent")
        verbose_name_plural = _("children following the parent")
        ordering = ["application", "child__birth_date"]
        constraints = [models.UniqueConstraint(fields=["application", "child"], name="following_child_once")]

    def __str__(self) -> str:
        return str(self.child)


class ApplicationDocument(models.Model):
    """A case document (oralman.Document) filed with a citizenship application."""

    application = models.ForeignKey(
        CitizenshipApplication, on_delete=models.CASCADE, related_name="filed_documents", verbose_name=_("application")
    )
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+", verbose_name=_("document"))
    attached_at = models.DateTimeField(_("attached"), default=timezone.now)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attached by"),
    )

    class Meta:
        verbose_name = _("filed document")
        verbose_name_plural = _("filed documents")
        constraints = [models.UniqueConstraint(fields=["application", "document"], name="citizenship_document_once")]

    def __str__(self) -> str:
        return str(self.document)


class CitizenshipTransition(TransitionRecord):
    """One move of a citizenship application through its states: who, when, why."""

    application = models.ForeignKey(
        CitizenshipApplication, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("application")
    )
    from_state = models.CharField(_("previous state"), max_length=20, choices=State.choices, blank=True)  # "" = filed
    to_state = models.CharField(_("new state"), max_length=20, choices=State.choices)

    class Meta:
        verbose_name = _("citizenship application transition")
        verbose_name_plural = _("citizenship application transitions")
        ordering = TransitionRecord.Meta.ordering


# A published count may not say the basis: "other" = not kandas, basis not stated; "not_stated" =
# the basis is unknown, kandas may be among them (the year's kandas share is then unknown).
HISTORICAL_OTHER = "other"
HISTORICAL_NOT_STATED = "not_stated"
HISTORICAL_BASIS_CHOICES = [
    *Basis.choices,
    (HISTORICAL_OTHER, _("other than kandas, basis not stated")),
    (HISTORICAL_NOT_STATED, _("basis not stated")),
]


class HistoricalAdmission(models.Model):
    """Admissions to citizenship before (or beside) the individual applications kept in this
    system, as counts per year, region, basis and former citizenship. A count is either published
    as it stands, or `illustrative`: a share of a published total spread over years, regions or
    countries by documented weights (the seed gives totals only). The admission reports add these
    counts to the individual grants and say on the page when a figure is illustrative
    (see docs/citizenship.md)."""

    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    basis = models.CharField(_("basis"), max_length=20, choices=HISTORICAL_BASIS_CHOICES)
    former_citizenship = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("former citizenship")
    )
    count = models.PositiveIntegerField(_("persons admitted"))
    illustrative = models.BooleanField(
        _("illustrative split"), default=False,
        help_text=_("A share of a published total spread by documented weights, not a published count."),
    )  # fmt: skip
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("historical admission count")
        verbose_name_plural = _("historical admission counts")
        ordering = ["year", "region", "basis"]
        indexes = [models.Index(fields=["year"], name="histadm_year_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "region", "basis", "former_citizenship"], nulls_distinct=False,
                name="historical_admission_unique",
            ),
            models.CheckConstraint(condition=Q(year__gte=1991), name="historical_admission_after_independence"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.year} {self.get_basis_display()}: {self.count}"


class ProcessingTimeCount(models.Model):
    """How many decided applications took so many days, per year of decision, region, basis and
    outcome: the processing-time report's histogram (issue 16). The report asks for the median and
    90th percentile over every decision ever made; reading a few thousand of these rows instead of
    every application keeps it fast at national scale.

    Kept by a database trigger on ``CitizenshipApplication`` (migration
    ``0009_processing_time_counts``): every insert, update and delete moves its application's count
    in the same transaction, so the figures are never stale, whichever code path writes. A bulk
    load that disables triggers rebuilds it with ``rebuild_processing_time_counts()``. Derived
    data: not audited, never edited by hand."""

    year = models.IntegerField(_("year of the decision"), null=True)
    region_id = models.IntegerField(_("region"))
    basis = models.CharField(_("basis"), max_length=20)
    granted = models.BooleanField(_("granted"))  # else refused
    days = models.IntegerField(_("days to the decision"), null=True)  # decided_on - submitted_on
    deadline_days = models.IntegerField(_("days allowed"), null=True)  # decision_due - submitted_on
    late = models.BooleanField(_("decided late"), null=True)  # decided_on > decision_due
    n = models.IntegerField(_("applications"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "region_id", "basis", "granted", "days", "deadline_days", "late"],
                nulls_distinct=False,
                name="processing_time_count_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.region_id} {self.basis} {self.days}: {self.n}"
