"""The kandas (oralman) case file: persons, families, documents, status applications, statuses."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Collate, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import track_changes
from core.files import PrivateFileField, random_name
from core.iin import validate_iin
from core.models import Country, NameInActiveLanguage, Region, TransitionRecord
from core.validators import (
    EARLIEST_DATE,
    LATEST_DATE,
    cyrillic_name,
    language_code,
    latin_name,
    phone_validator,
    validate_birth_date,
    validate_document_upload,
    validate_not_in_future,
    validate_plausible_date,
)


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class Language(models.TextChoices):
    RUSSIAN = "ru", _("Russian")
    KAZAKH = "kk", _("Kazakh")
    ENGLISH = "en", _("English")


class Education(models.TextChoices):
    NONE = "none", _("no formal education")
    PRIMARY = "primary", _("primary")
    SECONDARY = "secondary", _("secondary")
    VOCATIONAL = "vocational", _("vocational")
    HIGHER = "higher", _("higher")
    POSTGRADUATE = "postgraduate", _("postgraduate")


# How a Kazakh nationality is written in the records (English code, Russian, Kazakh).
KAZAKH_NATIONALITY = {"kazakh", "казах", "казашка", "казахи", "қазақ"}


@track_changes
class Person(models.Model):
    surname = models.CharField(_("surname"), max_length=100, validators=[cyrillic_name])
    given_name = models.CharField(_("given name"), max_length=100, validators=[cyrillic_name])
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True, validators=[cyrillic_name])
    surname_latin = models.CharField(_("surname (Latin)"), max_length=100, validators=[latin_name])
    given_name_latin = models.CharField(_("given name (Latin)"), max_length=100, validators=[latin_name])
    patronymic_latin = models.CharField(_("patronymic (Latin)"), max_length=100, blank=True, validators=[latin_name])
    birth_date = models.DateField(_("date of birth"), validators=[validate_birth_date])
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    country_of_origin = models.ForeignKey(
        Country, verbose_name=_("country of origin"), on_delete=models.PROTECT, related_name="+"
    )
    citizenship = models.ForeignKey(
        Country,
        verbose_name=_("current citizenship"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for a stateless person."),
    )
    former_citizenship = models.ForeignKey(
        Country,
        verbose_name=_("former citizenship"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The foreign citizenship given up on admission to citizenship of Kazakhstan."),
    )
    ethnicity = models.CharField(
        _("nationality"), max_length=50, default="kazakh",
        help_text=_("As recorded in the person's documents; the status needs Kazakh, backed by a document."),
    )  # fmt: skip
    former_kz_citizen = models.BooleanField(
        _("was ever a citizen of Kazakhstan"), null=True, blank=True,
        help_text=_("The person's answer, checked against the documents. 'Yes' is a refusal ground for the "
                    "status (Law on Migration art. 1); empty means not asked yet."),
    )  # fmt: skip
    passport_number = models.CharField(_("foreign passport number"), max_length=30, blank=True)
    passport_country = models.ForeignKey(
        Country,
        verbose_name=_("passport issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    iin = models.CharField(_("IIN"), max_length=12, null=True, blank=True, unique=True, validators=[validate_iin])
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    profession = models.CharField(_("profession"), max_length=150, blank=True)
    languages = ArrayField(
        models.CharField(max_length=3, validators=[language_code]), verbose_name=_("languages spoken"), default=list,
        blank=True,
        help_text=_("ISO 639 codes, e.g. kk, ru, uz, zh, mn."),
    )  # fmt: skip
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address in Kazakhstan"), max_length=300, blank=True)
    preferred_language = models.CharField(
        _("preferred language for messages"), max_length=2, choices=Language.choices, default=Language.RUSSIAN
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region of residence"),
        on_delete=models.PROTECT,
        related_name="persons",
        help_text=_("The region whose caseworkers handle this person's case."),
    )
    citizen_since = models.DateField(_("citizen of Kazakhstan since"), null=True, blank=True)
    # Script-independent keys for duplicate detection (core.translit.name_key).
    name_key = models.CharField(max_length=320, editable=False, db_index=True)
    latin_key = models.CharField(max_length=320, editable=False, db_index=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_records",
        help_text=_("Set on a record merged into another (a tombstone): its links lead to that record."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["surname", "given_name", "id"]
        # Without view_identifiers IINs and passport numbers are shown masked (core.masking); roles.py
        # grants it as the "view_identifiers" action.
        permissions = [
            ("view_identifiers_person", _("Can see full IIN and passport numbers")),
            ("merge_person", _("Can merge two records of the same person")),
        ]
        indexes = [
            models.Index(fields=["passport_number"], name="person_passport_idx"),
            models.Index(fields=["region", "surname"], name="person_region_surname_idx"),
            # Django's icontains is UPPER(col) LIKE UPPER('%term%'): trigram indexes on the same
            # expression serve name search in either script (measured in docs/benchmarks.md).
            GinIndex(OpClass(Upper("surname"), name="gin_trgm_ops"), name="person_surname_up_trgm"),
            GinIndex(OpClass(Upper("given_name"), name="gin_trgm_ops"), name="person_given_up_trgm"),
            GinIndex(OpClass(Upper("surname_latin"), name="gin_trgm_ops"), name="person_surname_lat_up_trgm"),
            GinIndex(OpClass(Upper("given_name_latin"), name="gin_trgm_ops"), name="person_given_lat_up_trgm"),
            models.Index(Upper("passport_number"), name="person_passport_up_idx"),
            # The person matcher (oralman.matching): name similarity in either script through the
            # transliterated keys, IIN prefixes, and the birth date of a likely duplicate.
            GinIndex(OpClass("name_key", name="gin_trgm_ops"), name="person_name_key_trgm"),
            GinIndex(OpClass("latin_key", name="gin_trgm_ops"), name="person_latin_key_trgm"),
            models.Index(OpClass("iin", name="varchar_pattern_ops"), name="person_iin_prefix_idx"),
            models.Index(fields=["birth_date"], name="person_birth_date_idx"),
            # A name of one or two letters (oralman.matching): the key's prefix and its order, in "C".
            models.Index(Collate("name_key", "C"), "id", name="person_name_key_c_idx"),
            # The whole-country list is ordered by name: its first page reads 50 index entries.
            models.Index(fields=["surname", "given_name", "id"], name="person_name_order_idx"),
            # The caseworker's list: region first, in name order, merged records left out (as person_list).
            models.Index(
                fields=["region", "surname", "given_name", "id"],
                condition=Q(merged_into__isnull=True),
                name="person_region_name_idx",
            ),
            # A region's person ids read from the index alone: the centers' caseworker scope
            # (adaptation_centers.selectors._region_scope) hashes them once per query.
            models.Index(fields=["region", "id"], name="person_region_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_date__range=(EARLIEST_DATE, LATEST_DATE)), name="person_birth_date_plausible"
            ),
            models.CheckConstraint(
                condition=Q(citizen_since__isnull=True) | Q(citizen_since__range=(EARLIEST_DATE, LATEST_DATE)),
                name="person_citizen_since_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)

    @property
    def full_name_latin(self) -> str:
        return " ".join(p for p in (self.surname_latin, self.given_name_latin, self.patronymic_latin) if p)

    @property
    def is_kazakh_nationality(self) -> bool:
        return (self.ethnicity or "").strip().lower() in KAZAKH_NATIONALITY

    def age_on(self, day: datetime.date) -> int:
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


@track_changes
class DuplicateFlag(models.Model):
    """A likely duplicate found when a person was created, for a caseworker to confirm or dismiss."""

    class Reason(models.TextChoices):
        IIN = "iin", _("same IIN")
        PASSPORT = "passport", _("same foreign passport")
        NAME_BIRTH_DATE = "name_birth_date", _("similar name and the same date of birth")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="duplicate_flags", verbose_name=_("person")
    )
    other = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("possible duplicate of")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    similarity = models.FloatField(
        _("name similarity"), null=True, blank=True, help_text=_("1.0 = the same name in transliteration.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [models.UniqueConstraint(fields=["person", "other", "reason"], name="duplicate_flag_unique")]

    def __str__(self) -> str:
        return f"{self.person} ~ {self.other} ({self.get_reason_display()})"


@track_changes
class PersonMerge(models.Model):
    """Two records of one human made one (oralman.merging): what moved, so it can be undone."""

    survivor = models.ForeignKey(
        Person, verbose_name=_("record kept"), on_delete=models.PROTECT, related_name="merges_received"
    )
    merged = models.ForeignKey(Person, verbose_name=_("record merged"), on_delete=models.PROTECT, related_name="+")
    flag = models.ForeignKey(
        DuplicateFlag, verbose_name=_("possible duplicate"), on_delete=models.SET_NULL, null=True, blank=True
    )
    moved = models.JSONField(_("rows moved"), default=dict, help_text=_("model label -> field -> ids"))
    fields_taken = models.JSONField(_("fields taken from the merged record"), default=list)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("merged by"), on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("merge of records")
        verbose_name_plural = _("merges of records")
        ordering = ["-merged_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(survivor=models.F("merged")), name="merge_of_two_records"),
            models.UniqueConstraint(
                fields=["merged"], condition=Q(undone_at__isnull=True), name="merge_once_while_in_force"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged} → {self.survivor}"


class ExternalReference(models.Model):
    """An id that another system (an embassy's list, the migration portal, a center) gives a
    person: importing the same row again finds it here and changes nothing."""

    source = models.CharField(_("source"), max_length=50)
    external_id = models.CharField(_("external id"), max_length=100)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="external_references", verbose_name=_("person")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("external reference")
        verbose_name_plural = _("external references")
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="external_reference_unique")]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


def import_upload_to(instance: ImportBatch, filename: str) -> str:
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


@track_changes
class ImportBatch(models.Model):
    """One arrival list (XLSX or CSV) imported into one region: checked first (a dry run), then
    imported on confirmation (oralman.imports)."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("file uploaded")
        CHECKING = "checking", _("being checked")
        CHECKED = "checked", _("checked, awaiting confirmation")
        IMPORTING = "importing", _("being imported")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    source = models.CharField(
        _("source"), max_length=50, help_text=_("Who sent the list, e.g. embassy-beijing, portal, center-uralsk.")
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to=import_upload_to)
    accept_partial = models.BooleanField(
        _("import the good rows even if some rows have errors"),
        default=False,
        help_text=_("Otherwise a file with any bad row is not imported at all."),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.UPLOADED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    counts = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import of an arrival list")
        verbose_name_plural = _("imports of arrival lists")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} #{self.pk}"

    @property
    def progress_percent(self) -> int:
        return round(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class ImportRow(models.Model):
    """One line of an import with what the check found and what the import did."""

    class Outcome(models.TextChoices):
        NEW = "new", _("new person")
        MATCH = "match", _("matches an existing person")
        POSSIBLE_DUPLICATE = "possible_duplicate", _("new person, similar to an existing one")
        ALREADY_IMPORTED = "already_imported", _("already imported")
        ERROR = "error", _("error")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows", verbose_name=_("import"))
    line = models.PositiveIntegerField(_("line"))
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    message = models.TextField(_("reasons"), blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    imported = models.BooleanField(_("imported"), default=False)

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["batch", "line"]
        constraints = [models.UniqueConstraint(fields=["batch", "line"], name="import_row_once_per_line")]

    def __str__(self) -> str:
        return f"{self.batch} / {self.line}"


@track_changes
class Family(models.Model):
    """A household that shares one case; the head is also one of its members."""

    head = models.ForeignKey(Person, verbose_name=_("head of family"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="families")
    assigned_caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned caseworker"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="assigned_families",
        help_text=_("The caseworker of the family's region who handles the case (oralman.services.family_assign)."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        ordering = ["-id"]
        permissions = [
            ("assign_family", _("Can assign a caseworker to a family")),
            ("transfer_family", _("Can transfer a family to another region")),
        ]
        # The caseworker's list (region, newest first); the whole country's list uses the primary key.
        indexes = [models.Index(fields=["region", "-id"], name="family_region_id_idx")]

    def __str__(self) -> str:
        return _("Family of %(head)s") % {"head": self.head}


@track_changes
class CaseNote(models.Model):
    """A free-text note on a family's case (a call, a visit, a transfer's reason): written once,
    never edited, shown on the case file."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="notes", verbose_name=_("family"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="case_notes", verbose_name=_("about")
    )
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("written by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class Relationship(models.TextChoices):
    HEAD = "head", _("head of family")
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    SIBLING = "sibling", _("brother or sister")
    GRANDCHILD = "grandchild", _("grandchild")
    GRANDPARENT = "grandparent", _("grandparent")
    OTHER = "other", _("other relative")


@track_changes
class FamilyMember(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members", verbose_name=_("family"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person"))
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    joined_on = models.DateField(_("joined"), default=datetime.date.today)
    left_on = models.DateField(_("left"), null=True, blank=True)

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(left_on__isnull=True), name="person_in_one_family_at_a_time",
                violation_error_message=_("This person already belongs to another family."),
            ),
            models.UniqueConstraint(
                fields=["family"], condition=Q(relationship="head", left_on__isnull=True), name="family_has_one_head",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")), name="member_left_after_joining",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.person} ({self.get_relationship_display()})"


class DocumentType(models.TextChoices):
    APPLICATION_FORM = "application_form", _("application form")
    PASSPORT = "passport", _("foreign passport or identity document")
    BIRTH_CERTIFICATE = "birth_certificate", _("birth certificate")
    MARRIAGE_CERTIFICATE = "marriage_certificate", _("marriage certificate")
    ETHNICITY_PROOF = "ethnicity_proof", _("document proving Kazakh nationality")
    AUTOBIOGRAPHY = "autobiography", _("autobiography")
    PURPOSE_OF_MOVE = "purpose_of_move", _("document on the purpose of the move (kinship, work or study in Kazakhstan)")
    PHOTO = "photo", _("photograph")
    RENUNCIATION = "renunciation", _("notarised renunciation of foreign citizenship")
    UNDERTAKING = "undertaking", _("undertaking")
    KANDAS_CERTIFICATE = "kandas_certificate", _("kandas certificate")
    OTHER = "other", _("other document")


class Translation(models.TextChoices):
    ORIGINAL = "original", _("original in Kazakh or Russian: no translation needed")
    NOTARISED = "notarised", _("notarised translation into Kazakh or Russian attached")


def document_upload_to(instance: Document, filename: str) -> str:
    """A random name in the private storage: the path says nothing of the person (core.files)."""
    return random_name("documents", filename)


@track_changes
class Document(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="documents", verbose_name=_("person"))
    application = models.ForeignKey(
        "StatusApplication", on_delete=models.PROTECT, null=True, blank=True, related_name="documents",
        verbose_name=_("status application"),
    )  # fmt: skip
    doc_type = models.CharField(_("document type"), max_length=30, choices=DocumentType.choices)
    number = models.CharField(_("number"), max_length=50, blank=True)
    issued_on = models.DateField(
        _("issued on"), null=True, blank=True, validators=[validate_plausible_date, validate_not_in_future]
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True, validators=[validate_plausible_date])
    file = PrivateFileField(_("file"), upload_to=document_upload_to, blank=True, validators=[validate_document_upload])
    translation = models.CharField(
        _("translation"), max_length=10, choices=Translation.choices, blank=True, default="", db_default="",
        help_text=_("Identity and nationality documents in another language need a notarised translation "
                    "into Kazakh or Russian."),
    )  # fmt: skip
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["-uploaded_at", "-id"], name="document_uploaded_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(issued_on__isnull=True) | Q(valid_until__gt=models.F("issued_on")),
                name="document_valid_after_issue",
                violation_error_message=_("A document cannot expire before it was issued."),
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True, verified_by__isnull=True) | Q(verified_at__isnull=False, verified_by__isnull=False),
                name="document_verified_by_and_at",
            ),
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True) | Q(issued_on__range=(EARLIEST_DATE, LATEST_DATE)),
                name="document_issued_on_plausible",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__range=(EARLIEST_DATE, LATEST_DATE)),
                name="document_valid_until_plausible",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        # Masked: a name is shown where no permission is asked (checkbox labels, messages, history).
        from core.masking import mask_passport

        return f"{self.get_doc_type_display()} {mask_passport(self.number)}".strip()


class StatusRule(models.Model):
    """The dated, configurable rules of the kandas status (deadline, validity, extension).

    The rule in force on a date is the one with the latest `valid_from` not after it."""

    valid_from = models.DateField(_("in force from"), unique=True)
    decision_working_days = models.PositiveSmallIntegerField(
        _("decision deadline, working days"),
        default=5,
        help_text=_("Working days from a complete application to the decision (sources give 4, 5 or 30)."),
    )
    validity_months = models.PositiveSmallIntegerField(_("certificate valid for, months"), default=12)
    extension_months = models.PositiveSmallIntegerField(_("one extension adds, months"), default=6)
    max_extensions = models.PositiveSmallIntegerField(_("extensions allowed"), default=1)
    extension_opens_days_before_expiry = models.PositiveSmallIntegerField(
        _("extension may be asked, days before expiry"), default=30
    )
    extension_closes_months_after_expiry = models.PositiveSmallIntegerField(
        _("extension may be asked, months after expiry"), default=6
    )
    commission_working_days = models.PositiveSmallIntegerField(
        _("commission recommends within, working days"), null=True, blank=True,
        help_text=_("Empty: no commission step. Under the October 2025 rules a commission recommends "
                    "within 3 working days before the department decides."),
    )  # fmt: skip
    refuse_incomplete_at_submission = models.BooleanField(
        _("incomplete package refused at acceptance"), default=False, db_default=False,
        help_text=_("The October 2025 rules: an application without every required document is not accepted."),
    )  # fmt: skip
    migration_portal_open = models.BooleanField(
        _("migration portal accepts applications"), default=False, db_default=False,
        help_text=_("Whether applications may be filed through the labour ministry's migration portal "
                    "and its mobile app (the main channel since the October 2025 rules)."),
    )  # fmt: skip
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("status rule")
        verbose_name_plural = _("status rules")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(decision_working_days__gt=0), name="status_rule_positive_deadline"),
            models.CheckConstraint(condition=Q(validity_months__gt=0), name="status_rule_positive_validity"),
        ]

    def __str__(self) -> str:
        return _("Status rules from %(date)s") % {"date": self.valid_from}


class StatusRequiredDocument(models.Model):
    """A document type the status grant needs (configurable list, seeded by a migration from the
    Government Corporation's list of August 2025 and the egov service page)."""

    class ForWhom(models.TextChoices):
        APPLICANT = "applicant", _("the applicant")
        EVERY_PERSON = "every_person", _("the applicant and each listed family member")

    doc_type = models.CharField(_("document type"), max_length=30, choices=DocumentType.choices)
    for_whom = models.CharField(_("for whom"), max_length=12, choices=ForWhom.choices, default=ForWhom.APPLICANT)
    needs_translation = models.BooleanField(
        _("translation needed"), default=False,
        help_text=_("A document in another language counts only with a notarised translation into Kazakh or Russian."),
    )  # fmt: skip
    active = models.BooleanField(_("in use"), default=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("document required for the status")
        verbose_name_plural = _("documents required for the status")
        ordering = ["doc_type"]
        constraints = [models.UniqueConstraint(fields=["doc_type"], name="status_required_document_unique")]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} ({self.get_for_whom_display()})"


class RefusalGround(NameInActiveLanguage, models.Model):
    """A ground on which a status may be refused (a policy list, editable)."""

    code = models.SlugField(_("code"), unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("refusal ground")
        verbose_name_plural = _("refusal grounds")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    UNDER_REVIEW = "under_review", _("under review")
    COMMISSION = "commission", _("with the commission")
    RETURNED = "returned", _("returned for documents")
    GRANTED = "granted", _("granted")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_APPLICATION_STATES = [ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW, ApplicationState.COMMISSION]

# The caseworker's queue: 0 with the department, 1 waiting for the applicant (draft, returned), 2 decided.
# The application list orders by it, then by deadline; the indexes of StatusApplication.Meta repeat the
# same expression so that the first page is read from an index rather than sorting the whole table.
APPLICATION_QUEUE = models.Case(
    models.When(state__in=OPEN_APPLICATION_STATES, then=models.Value(0)),
    models.When(state__in=[ApplicationState.DRAFT, ApplicationState.RETURNED], then=models.Value(1)),
    default=models.Value(2),
)
APPLICATION_QUEUE_ORDER = [
    APPLICATION_QUEUE.asc(),
    models.F("decision_due").asc(nulls_last=True),
    models.F("id").desc(),
]


class Channel(models.TextChoices):
    PSC = "psc", _("public service center")
    EGOV = "egov", _("e-government portal")
    EMBASSY = "embassy", _("embassy or consulate abroad")
    DEPARTMENT = "department", _("regional department in person")
    MIGRATION_PORTAL = "migration_portal", _("migration portal or its mobile app")


class Recommendation(models.TextChoices):
    GRANT = "grant", _("grant the status")
    REFUSE = "refuse", _("refuse the status")


@track_changes
class StatusApplication(models.Model):
    """An application for the kandas status, decided by the region's department."""

    applicant = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="status_applications", verbose_name=_("applicant")
    )
    family = models.ForeignKey(
        Family,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_applications",
        verbose_name=_("family"),
    )
    representative = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="represented_applications",
        verbose_name=_("representative"),
        help_text=_("The parent or guardian who applies for a minor; a minor never applies alone."),
    )  # fmt: skip
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="status_applications", verbose_name=_("region")
    )
    channel = models.CharField(_("filed through"), max_length=20, choices=Channel.choices, default=Channel.PSC)
    state = models.CharField(
        _("state"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    submitted_on = models.DateField(_("first submitted"), null=True, blank=True)
    clock_started_on = models.DateField(
        _("deadline counted from"),
        null=True,
        blank=True,
        help_text=_("The date of the last complete submission; a return for documents stops the clock."),
    )
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    commission_due = models.DateField(_("commission recommends by"), null=True, blank=True)
    commission_recommendation = models.CharField(
        _("commission's recommendation"),
        max_length=10,
        choices=Recommendation.choices,
        blank=True,
        default="",
        db_default="",
    )
    commission_recommended_on = models.DateField(_("recommended on"), null=True, blank=True)
    refusal_ground = models.ForeignKey(
        RefusalGround, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("refusal ground")
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
        verbose_name = _("status application")
        verbose_name_plural = _("status applications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region", "state", "-created_at"], name="statusapp_region_state_idx"),
            models.Index(fields=["-created_at", "-id"], name="statusapp_created_idx"),
            models.Index(fields=["region", "-created_at", "-id"], name="statusapp_region_new_idx"),
            models.Index(fields=["decision_due"], condition=Q(state__in=["submitted", "under_review", "commission"]), name="statusapp_open_due_idx"),
            # The admin list's order (APPLICATION_QUEUE_ORDER), in the caseworker's region and country-wide.
            models.Index(models.F("region"), *APPLICATION_QUEUE_ORDER, name="statusapp_region_queue_idx"),
            models.Index(*APPLICATION_QUEUE_ORDER, name="statusapp_queue_idx"),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="refused") | Q(refusal_ground__isnull=False), name="refusal_has_ground",
                violation_error_message=_("A refusal must record its ground."),
            ),
            models.CheckConstraint(
                condition=Q(decision_due__isnull=True) | Q(decision_due__gte=models.F("clock_started_on")),
                name="decision_due_after_clock_start",
            ),
            models.UniqueConstraint(
                fields=["applicant"], condition=Q(state__in=["draft", "submitted", "under_review", "commission", "returned"]),
                name="one_open_status_application_per_person",
                violation_error_message=_("This person already has an open status application."),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return _("Application No. %(id)s: %(person)s") % {"id": self.pk, "person": self.applicant}

    @property
    def status(self) -> KandasStatus | None:
        """The applicant's own status from this application (family members get theirs too)."""
        return next((s for s in self.statuses.all() if s.person_id == self.applicant_id), None) if self.pk else None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.state in OPEN_APPLICATION_STATES and self.decision_due is not None and self.decision_due < today


class ApplicationMember(models.Model):
    """A family member listed on the application, to be granted a status and certificate of their own."""

    application = models.ForeignKey(
        StatusApplication, on_delete=models.CASCADE, related_name="listed_members", verbose_name=_("application")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="listed_on_applications", verbose_name=_("family member")
    )
    representative = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("representative"),
        help_text=_("For a minor: the parent or guardian who applies on their behalf."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("listed family member")
        verbose_name_plural = _("listed family members")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["application", "person"], name="application_member_once")]

    def __str__(self) -> str:
        return str(self.person)


class ApplicationTransition(TransitionRecord):
    """One move of a status application through its states: who, when, why."""

    application = models.ForeignKey(
        StatusApplication, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("application")
    )
    from_state = models.CharField(_("previous state"), max_length=20, choices=ApplicationState.choices)
    to_state = models.CharField(_("new state"), max_length=20, choices=ApplicationState.choices)

    class Meta:
        verbose_name = _("application transition")
        verbose_name_plural = _("application transitions")
        ordering = TransitionRecord.Meta.ordering


class TerminationReason(models.TextChoices):
    EXPIRY = "expiry", _("validity expired")
    CITIZENSHIP = "citizenship", _("citizenship acquired")
    REVOKED = "revoked", _("revoked for false documents")
    DEPARTURE = "departure", _("left the country permanently")
    DEATH = "death", _("death")


@track_changes
class KandasStatus(models.Model):
    """The status granted by a decision, with its certificate; it ends by expiry or termination."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="statuses", verbose_name=_("person"))
    application = models.ForeignKey(
        StatusApplication, on_delete=models.PROTECT, related_name="statuses", verbose_name=_("application")
    )
    certificate_number = models.CharField(_("certificate number"), max_length=30, unique=True)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    extensions = models.PositiveSmallIntegerField(_("extensions granted"), default=0)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.CharField(
        _("termination reason"), max_length=20, choices=TerminationReason.choices, blank=True
    )
    termination_note = models.TextField(_("termination note"), blank=True)

    class Meta:
        verbose_name = _("kandas status")
        verbose_name_plural = _("kandas statuses")
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(
                fields=["valid_until"], condition=Q(terminated_on__isnull=True), name="status_active_until_idx"
            ),
            models.Index(Upper("certificate_number"), name="status_certificate_up_idx"),
            # The list's order (the caseworker's scope joins the person's region: read in this order).
            models.Index(fields=["-issued_on", "-id"], name="status_issued_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(terminated_on__isnull=True), name="one_active_status_per_person",
                violation_error_message=_("This person already holds an active kandas status."),
            ),
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("issued_on")), name="status_valid_after_issue"),
            models.UniqueConstraint(fields=["application", "person"], name="one_status_per_person_per_application"),
            models.CheckConstraint(
                condition=Q(terminated_on__isnull=True, termination_reason="") | (Q(terminated_on__isnull=False) & ~Q(termination_reason="")),
                name="status_termination_has_reason",
            ),
        ]  # fmt: skip
        permissions = [("record_certificate_number", _("Can record a paper-era certificate number"))]

    def __str__(self) -> str:
        return _("Certificate %(number)s") % {"number": self.certificate_number}

    @property
    def state(self) -> str:
        """'active' until terminated (expiry included), then 'ended'; drives the admin's buttons."""
        return "ended" if self.terminated_on else "active"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.terminated_on is None and self.issued_on <= day <= self.valid_until

    @property
    def is_valid(self) -> bool:
        return self.is_valid_on(timezone.localdate())


#: The highest sequence a certificate series can hold (KND-<REGION>-<YEAR>-<6 digits>).
CERTIFICATE_SEQUENCE_MAX = 999_999
#: A certificate number: the series (KND, the region's code cut to six characters, the year) and
#: six ASCII digits.
CERTIFICATE_NUMBER_RE = re.compile(r"(?P<series>KND-[A-Z-]{1,6}-(?P<year>[0-9]{4}))-(?P<sequence>[0-9]{6})")


class CertificateSeries(models.Model):
    """The numbering of one certificate series, "KND-<REGION>-<YEAR>": the last number given.

    Automatic numbers are taken from here (one locked UPDATE per grant, never derived from the
    text of existing numbers); a paper-era number recorded by hand moves the sequence past it."""

    prefix = models.CharField(_("series"), max_length=24, unique=True)
    last_number = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("certificate series")
        verbose_name_plural = _("certificate series")
        ordering = ["prefix"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_number__gte=0, last_number__lte=CERTIFICATE_SEQUENCE_MAX),
                name="certificate_series_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.prefix
