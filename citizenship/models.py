"""Citizenship of Kazakhstan: applications by the simplified (registration) procedure and the
general procedure, their decisions, and the historical admission counts the ministry quotes."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


class State(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    UNDER_REVIEW = "under_review", _("under review")
    RETURNED = "returned", _("returned for documents")
    GRANTED = "granted", _("granted")
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
    """An application for citizenship of Kazakhstan, filed in a region and decided by decree."""

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
    decree_number = models.CharField(_("decree number"), max_length=50, blank=True)
    decree_date = models.DateField(_("decree date"), null=True, blank=True)
    iin_assigned = models.CharField(_("IIN assigned"), max_length=12, blank=True, validators=[validate_iin])
    refusal_ground = models.ForeignKey(
        CitizenshipRefusalGround, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("refusal ground")
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    documents = models.ManyToManyField(
        Document, through="ApplicationDocument", related_name="citizenship_applications", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
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
                    Q(decided_on__isnull=False, decree_date__isnull=False) & ~Q(decree_number="") & ~Q(iin_assigned="")
                ),
                name="citizenship_grant_has_decree_and_iin",
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


class ApplicationDocument(models.Model):
    """A case document (oralman.Document) filed with a citizenship application."""

    application = models.ForeignKey(CitizenshipApplication, on_delete=models.CASCADE, related_name="filed_documents")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+", verbose_name=_("document"))
    attached_at = models.DateTimeField(_("attached"), default=timezone.now)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("filed document")
        verbose_name_plural = _("filed documents")
        constraints = [models.UniqueConstraint(fields=["application", "document"], name="citizenship_document_once")]

    def __str__(self) -> str:
        return str(self.document)


class CitizenshipTransition(TransitionRecord):
    """One move of a citizenship application through its states: who, when, why."""

    application = models.ForeignKey(CitizenshipApplication, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)  # "" = filed
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices)

    class Meta:
        verbose_name = _("citizenship application transition")
        verbose_name_plural = _("citizenship application transitions")
        ordering = TransitionRecord.Meta.ordering


class HistoricalAdmission(models.Model):
    """Admissions to citizenship before individual applications were kept in this system,
    as published counts per year, region, basis and former citizenship. The admission
    reports add these counts to the individual grants (see docs/citizenship.md)."""

    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    former_citizenship = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("former citizenship")
    )
    count = models.PositiveIntegerField(_("persons admitted"))
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
