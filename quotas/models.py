"""The annual immigration quota: the year's order, its regional split, the priority list, the
families' requests, the allocation runs that decide them, and the benefits of an included family.

Integrity lives in the database as well as in the services:
- a year's regional split can never exceed its national total (trigger `regional_split_within_total`,
  which locks the year row, so two concurrent edits cannot both pass);
- a region's allocations can never exceed its share: `RegionalQuota.used` is maintained by
  statement-level triggers on `QuotaRequest` and is bounded by the check `regional_quota_used_within_places`
  (an UPDATE of the same row waits for the other transaction and re-checks the new total);
- one request per family per year (a unique constraint), and a request's (year, region) must be a
  share of that year (a composite foreign key added in migration 0002).
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import track_changes
from core.models import NameInActiveLanguage, Region
from oralman.models import Family

# States in which a request holds places of its region's share.
HOLDING_STATES = ("allocated", "settled")
#: The largest quota a year or a region can have: far above any real quota (thousands a year),
#: far below the 32-bit column's limit (2,147,483,647), so a probe never reaches the database.
MAX_QUOTA_PLACES = 10_000_000
# A request with no claimed (active) category is ordered after every category.
NO_CATEGORY_RANK = 32767


class QuotaUnit(models.TextChoices):
    FAMILIES = "families", _("families")
    PERSONS = "persons", _("persons")


class OversizeRule(models.TextChoices):
    """What happens when the next family in line needs more places than the region has left (policy choice)."""

    STRICT_ORDER = "strict_order", _("strict order: the family waits and so does everyone behind it")
    SKIP_TO_FITTING = "skip_to_fitting", _("skip: the family waits, smaller families behind it may take the places")


class QuotaYear(models.Model):
    """The quota set for a year by the legal act that set it (a decree until 2011, a ministerial order since 2022)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    unit = models.CharField(_("counted in"), max_length=10, choices=QuotaUnit.choices, default=QuotaUnit.PERSONS)
    national_total = models.PositiveIntegerField(_("national total"))
    act_title = models.CharField(_("legal act"), max_length=300, blank=True)
    act_number = models.CharField(_("legal act number"), max_length=50, blank=True)
    act_date = models.DateField(_("legal act date"), null=True, blank=True)
    is_open = models.BooleanField(
        _("open for requests"),
        default=False,
        help_text=_("Requests can be filed and runs started only in an open year."),
    )
    oversize_rule = models.CharField(
        _("family larger than the places left"),
        max_length=20,
        choices=OversizeRule.choices,
        default=OversizeRule.STRICT_ORDER,
        help_text=_("A policy choice: public sources do not say how such a family is treated."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("quota year")
        verbose_name_plural = _("quota years")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(national_total__gt=0), name="quota_year_total_positive",
                violation_error_message=_("The national quota must be a positive number."),
            ),
            models.CheckConstraint(
                condition=Q(national_total__lte=MAX_QUOTA_PLACES), name="quota_year_total_plausible",
            ),
        ]  # fmt: skip
        triggers = [
            pgtrigger.Trigger(
                name="quota_year_total_covers_split",
                operation=pgtrigger.Update,
                when=pgtrigger.After,
                condition=pgtrigger.Q(old__national_total__df=pgtrigger.F("new__national_total")),
                func="""
                IF (SELECT COALESCE(SUM(places), 0) FROM quotas_regionalquota WHERE quota_year_id = NEW.id)
                   > NEW.national_total THEN
                    RAISE EXCEPTION 'quota split exceeds the national total of year %', NEW.year
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'regional_split_within_total';
                END IF;
                RETURN NULL;
                """,
            ),
        ]

    def __str__(self) -> str:
        return _("Quota %(year)s: %(total)s %(unit)s") % {
            "year": self.year,
            "total": self.national_total,
            "unit": self.get_unit_display(),
        }


class RegionalQuota(models.Model):
    """A region's share of a year's quota. `used` counts the places held by allocated and settled
    requests; it is written only by database triggers and bounded by `places`."""

    quota_year = models.ForeignKey(
        QuotaYear, on_delete=models.CASCADE, related_name="shares", verbose_name=_("quota year")
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    places = models.PositiveIntegerField(_("places"))
    used = models.PositiveIntegerField(_("places used"), default=0, editable=False)

    class Meta:
        verbose_name = _("regional quota")
        verbose_name_plural = _("regional quotas")
        ordering = ["quota_year", "-places", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["quota_year", "region"], name="one_share_per_region_and_year"),
            models.CheckConstraint(
                condition=Q(places__gt=0), name="regional_quota_places_positive",
                violation_error_message=_("A region's share must be a positive number."),
            ),
            models.CheckConstraint(condition=Q(places__lte=MAX_QUOTA_PLACES), name="regional_quota_places_plausible"),
            models.CheckConstraint(
                condition=Q(used__lte=models.F("places")), name="regional_quota_used_within_places",
                violation_error_message=_("A region's allocations cannot exceed its share."),
            ),
        ]  # fmt: skip
        triggers = [
            pgtrigger.Trigger(
                name="regional_split_within_total",
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("places", "quota_year_id"),
                when=pgtrigger.After,
                func="""
                DECLARE total integer;
                BEGIN
                    -- Lock the year: concurrent edits of its split are checked one after the other.
                    SELECT national_total INTO total FROM quotas_quotayear WHERE id = NEW.quota_year_id FOR UPDATE;
                    IF (SELECT COALESCE(SUM(places), 0) FROM quotas_regionalquota WHERE quota_year_id = NEW.quota_year_id)
                       > total THEN
                        RAISE EXCEPTION 'quota split exceeds the national total'
                            USING ERRCODE = 'check_violation', CONSTRAINT = 'regional_split_within_total';
                    END IF;
                    RETURN NULL;
                END;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quota_year.year} · {self.region}: {self.places}"

    @property
    def remaining(self) -> int:
        return self.places - self.used


class PriorityCategory(NameInActiveLanguage, models.Model):
    """A priority category (policy choice: public sources do not give the order). Rank 1 goes first;
    a family that qualifies for several counts under the highest."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is the highest priority."))
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("priority category")
        verbose_name_plural = _("priority categories")
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["rank"], name="priority_category_rank_unique", deferrable=models.Deferrable.DEFERRED
            ),
            models.CheckConstraint(condition=Q(rank__gt=0, rank__lt=NO_CATEGORY_RANK), name="priority_rank_range"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.name}"


class RequestState(models.TextChoices):
    PENDING = "pending", _("pending")
    ALLOCATED = "allocated", _("allocated")
    WAITLISTED = "waitlisted", _("waitlisted")
    DECLINED = "declined", _("declined by the family")
    RELEASED = "released", _("released")
    SETTLED = "settled", _("settled")


class AllocationRun(models.Model):
    """One execution of the allocation job for a year (optionally one region): who started it, its progress."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("started by staff")
        SCHEDULED = "scheduled", _("nightly re-allocation")
        PROMOTION = "promotion", _("promotion after a place was freed")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    quota_year = models.ForeignKey(
        QuotaYear, on_delete=models.PROTECT, related_name="runs", verbose_name=_("quota year")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("only region")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MANUAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    oversize_rule = models.CharField(_("rule for a family larger than the places left"), max_length=20, choices=OversizeRule.choices, blank=True)  # fmt: skip
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("started by"),
    )  # fmt: skip
    task_id = models.CharField(_("Celery task"), max_length=50, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    regions_total = models.PositiveSmallIntegerField(_("regions to process"), default=0)
    regions_done = models.PositiveSmallIntegerField(_("regions processed"), default=0)
    considered = models.PositiveIntegerField(_("requests considered"), default=0)
    allocated = models.PositiveIntegerField(_("requests allocated"), default=0)
    waitlisted = models.PositiveIntegerField(_("requests waitlisted"), default=0)
    changed = models.PositiveIntegerField(_("requests changed"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The outbox side of the job: when its message was handed to the broker (empty: not yet, the
    # dispatcher will), which regional shares this run has decided (a resumed run skips them), and
    # when every decision of the year got its notice.
    dispatched_at = models.DateTimeField(_("handed to the job queue"), null=True, blank=True)
    done_share_ids = ArrayField(models.BigIntegerField(), verbose_name=_("regional shares decided"), default=list, blank=True)  # fmt: skip
    notified_at = models.DateTimeField(_("families notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["-created_at", "-id"]
        permissions = [("start_allocationrun", _("Can start an allocation run"))]

    def __str__(self) -> str:
        return _("Run No. %(id)s (%(year)s)") % {"id": self.pk, "year": self.quota_year.year}

    @property
    def progress_percent(self) -> int:
        if not self.regions_total:
            return 100 if self.status == self.Status.DONE else 0
        return round(100 * self.regions_done / self.regions_total)


def track_set_based(*fields: str):
    """Like core.audit.track_changes, but with statement-level triggers: the allocation job changes
    up to hundreds of thousands of requests in one UPDATE, and a row-level audit trigger costs
    about half a millisecond a row (measured: 9 s for 20,000 rows). The statement-level trigger
    writes the same events (same table, same context) with one INSERT ... SELECT per statement.

    The event table keeps only the indexes somebody reads by (issue 16): the request's history
    (pgh_obj). The copies of the run and category foreign keys and the context id are not indexed:
    nobody looks events up by them, and one allocation writes 100,000 events with the same run and
    the same context (2 of the 5 indexes cost most of the history insert, docs/benchmarks.md)."""

    def unindexed(to: str):
        return models.ForeignKey(
            to, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, null=True, blank=True,
            related_name="+", related_query_name="+",
        )  # fmt: skip

    return pghistory.track(
        pghistory.InsertEvent(level=pgtrigger.Statement),
        pghistory.UpdateEvent(level=pgtrigger.Statement),
        pghistory.DeleteEvent(level=pgtrigger.Statement),
        fields=list(fields),
        model_name="QuotaRequestEvent",
        context_field=pghistory.ContextForeignKey(db_index=False),
        attrs={
            "deciding_category": unindexed("quotas.PriorityCategory"),
            "decided_by_run": unindexed("quotas.AllocationRun"),
        },
    )


@track_set_based(
    "state", "rank", "waitlist_position", "deciding_category", "decided_by_run", "decided_at", "places",
    "members_count", "closed_at", "close_reason",
)  # fmt: skip
class QuotaRequest(models.Model):
    """A family's request to be included in a year's quota, for one region of settlement.

    `rank`, `waitlist_position`, `deciding_category` and `decided_by_run` explain the decision:
    the family's place in the region's order, its place in the waiting line, the category it
    counted under and the run that decided it."""

    # Few indexes, none on the columns a run writes: the run's UPDATE can then be a HOT update (no
    # index maintenance; the table keeps free room on each page, migration 0002). The unique
    # (family, quota_year) and the (quota_year, region) index serve the family and year lookups.
    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="quota_requests", verbose_name=_("family"), db_index=False
    )
    quota_year = models.ForeignKey(
        QuotaYear, on_delete=models.PROTECT, related_name="requests", verbose_name=_("quota year"), db_index=False
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region of settlement")
    )
    # The share this request draws on; the composite foreign key itself is created in migration 0002.
    regional_quota = models.ForeignObject(
        RegionalQuota, on_delete=models.PROTECT, from_fields=["quota_year", "region"],
        to_fields=["quota_year", "region"], related_name="requests",
    )  # fmt: skip
    categories = models.ManyToManyField(
        PriorityCategory, blank=True, related_name="requests", verbose_name=_("priority categories claimed")
    )
    members_count = models.PositiveSmallIntegerField(_("family members"))
    places = models.PositiveSmallIntegerField(
        _("places needed"), help_text=_("Members in a year counted in persons, 1 in a year counted in families.")
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    state = models.CharField(_("state"), max_length=12, choices=RequestState.choices, default=RequestState.PENDING)
    rank = models.PositiveIntegerField(_("place in the region's order"), null=True, blank=True)
    waitlist_position = models.PositiveIntegerField(_("place in the waiting line"), null=True, blank=True)
    # Both references are checked once per statement, not per row (issue 16): the allocation
    # writes the same run (and a handful of categories) into 100,000 requests, and a foreign key
    # would look the run up 100,000 times. The triggers of migration 0010 check every value a
    # statement writes (one join of its distinct values, locking them FOR KEY SHARE as a foreign
    # key does) and refuse to delete or renumber a run or category that requests still name.
    deciding_category = models.ForeignKey(
        PriorityCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("deciding category"), db_index=False, db_constraint=False,
    )  # fmt: skip
    decided_by_run = models.ForeignKey(
        AllocationRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("decided by run"), db_index=False, db_constraint=False,
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    closed_at = models.DateTimeField(_("declined, released or settled"), null=True, blank=True)
    close_reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False)  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("quota request")
        verbose_name_plural = _("quota requests")
        ordering = ["quota_year", "region_id", "rank", "submitted_at", "id"]
        indexes = [
            # Serves the list's filter and order up to the region; the rest of the order (rank,
            # submitted_at) is sorted within one region's requests. An index with `rank` would make
            # every allocation write a new index entry per request (no HOT update): measured in
            # docs/benchmarks.md, "Made fast (issue 16)".
            models.Index(fields=["quota_year", "region"], name="quota_request_year_region_idx"),
            models.Index(fields=["-submitted_at", "-id"], name="quota_request_submitted_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "quota_year"], name="one_quota_request_per_family_and_year",
                violation_error_message=_("This family has already filed a quota request for this year."),
            ),
            models.CheckConstraint(condition=Q(places__gt=0) & Q(members_count__gt=0), name="quota_request_places_positive"),
            models.CheckConstraint(
                condition=Q(waitlist_position__isnull=True) | Q(state="waitlisted"),
                name="waitlist_position_only_when_waitlisted",
            ),
        ]  # fmt: skip
        triggers = [
            # Keep RegionalQuota.used equal to the places held by allocated and settled requests.
            # Statement-level with transition tables: one UPDATE per region, however many rows changed.
            pgtrigger.Trigger(
                name="quota_used_on_insert",
                level=pgtrigger.Statement,
                operation=pgtrigger.Insert,
                when=pgtrigger.After,
                referencing=pgtrigger.Referencing(new="new_rows"),
                func="""
                UPDATE quotas_regionalquota q SET used = q.used + d.delta
                FROM (SELECT quota_year_id, region_id, SUM(places) AS delta FROM new_rows
                      WHERE state IN ('allocated', 'settled') GROUP BY 1, 2) d
                WHERE q.quota_year_id = d.quota_year_id AND q.region_id = d.region_id;
                RETURN NULL;
                """,
            ),
            pgtrigger.Trigger(
                name="quota_used_on_update",
                level=pgtrigger.Statement,
                operation=pgtrigger.Update,
                when=pgtrigger.After,
                referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
                func="""
                UPDATE quotas_regionalquota q SET used = q.used + d.delta
                FROM (SELECT quota_year_id, region_id, SUM(delta) AS delta FROM (
                          SELECT quota_year_id, region_id, places AS delta FROM new_rows
                          WHERE state IN ('allocated', 'settled')
                          UNION ALL
                          SELECT quota_year_id, region_id, -places FROM old_rows
                          WHERE state IN ('allocated', 'settled')) x
                      GROUP BY 1, 2 HAVING SUM(delta) <> 0) d
                WHERE q.quota_year_id = d.quota_year_id AND q.region_id = d.region_id;
                RETURN NULL;
                """,
            ),
            pgtrigger.Trigger(
                name="quota_used_on_delete",
                level=pgtrigger.Statement,
                operation=pgtrigger.Delete,
                when=pgtrigger.After,
                referencing=pgtrigger.Referencing(old="old_rows"),
                func="""
                UPDATE quotas_regionalquota q SET used = q.used - d.delta
                FROM (SELECT quota_year_id, region_id, SUM(places) AS delta FROM old_rows
                      WHERE state IN ('allocated', 'settled') GROUP BY 1, 2) d
                WHERE q.quota_year_id = d.quota_year_id AND q.region_id = d.region_id;
                RETURN NULL;
                """,
            ),
        ]

    def __str__(self) -> str:
        return _("Quota request No. %(id)s (%(year)s)") % {"id": self.pk, "year": self.quota_year.year}

    @property
    def holds_places(self) -> bool:
        return self.state in HOLDING_STATES


# --- Benefits ---------------------------------------------------------------------------------


class MciValue(models.Model):
    """The monthly calculation index (МРП / АЕК) in tenge for a year, set by the year's budget law."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    tenge = models.DecimalField(_("value, tenge"), max_digits=10, decimal_places=2)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("MCI value")
        verbose_name_plural = _("MCI values")
        ordering = ["-year"]
        constraints = [models.CheckConstraint(condition=Q(tenge__gt=0), name="mci_value_positive")]

    def __str__(self) -> str:
        return f"{self.year}: {self.tenge} ₸"


class HousingCertificateMode(models.TextChoices):
    """How a year's rules compute the housing certificate (DOMAIN.md "The quota")."""

    PERCENT_WITH_CAP = "percent_with_cap", _("a percentage of the home's price, up to a cap")
    FIXED_UP_TO_PRICE = "fixed_up_to_price", _("a fixed amount, or the price where the home costs less")


class BenefitRates(models.Model):
    """The benefits of a family included in a year's quota, in MCI (set by the year's rules).

    The row in force for a year is the latest `year` not after it. Housing certificate: 2023-2025
    50 % of the price up to 1,160 MCI; from 1 January 2026 a fixed 1,625 MCI, or the price where
    the home costs less (reports of December 2025). Employers' relocation subsidy: 400 MCI (2026
    quota order); empty = the year's rules give none."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    relocation_mci_per_member = models.DecimalField(
        _("relocation allowance, MCI per family member"), max_digits=8, decimal_places=2, default=70
    )
    rent_mci_per_month = models.DecimalField(
        _("rent subsidy, MCI per month"), max_digits=8, decimal_places=2, default=15
    )
    rent_mci_per_month_large_family = models.DecimalField(
        _("rent subsidy for a large family, MCI per month"), max_digits=8, decimal_places=2, default=30
    )
    large_family_from_members = models.PositiveSmallIntegerField(
        _("a large family has at least, members"), default=5,
        help_text=_("Policy choice: the rules give 15-30 MCI a month without saying who gets which."),
    )  # fmt: skip
    rent_months = models.PositiveSmallIntegerField(_("rent subsidy, months"), default=12)
    housing_certificate_mode = models.CharField(
        _("housing certificate rule"), max_length=20, choices=HousingCertificateMode.choices,
        default=HousingCertificateMode.PERCENT_WITH_CAP,
    )  # fmt: skip
    housing_certificate_percent = models.PositiveSmallIntegerField(
        _("housing certificate, percent of the price"), default=50,
        help_text=_("Used by the percentage rule only."),
    )  # fmt: skip
    housing_certificate_cap_mci = models.DecimalField(
        _("housing certificate cap or fixed amount, MCI"), max_digits=10, decimal_places=2, default=1625,
        help_text=_("The cap of the percentage rule, or the fixed amount of the fixed rule."),
    )  # fmt: skip
    employer_subsidy_mci = models.DecimalField(
        _("employers' relocation subsidy, MCI per employee"), max_digits=10, decimal_places=2, null=True,
        blank=True, help_text=_("Empty: the year's rules give no employers' subsidy."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("benefit rates")
        verbose_name_plural = _("benefit rates")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(relocation_mci_per_member__gte=0, rent_mci_per_month__gte=0,
                            rent_mci_per_month_large_family__gte=0, housing_certificate_cap_mci__gte=0,
                            housing_certificate_percent__lte=100)
                & (Q(employer_subsidy_mci__isnull=True) | Q(employer_subsidy_mci__gte=0)),
                name="benefit_rates_sane",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return _("Benefit rates %(year)s") % {"year": self.year}


class BenefitKind(models.TextChoices):
    RELOCATION = "relocation", _("relocation allowance")
    RENT = "rent", _("rent subsidy")
    HOUSING = "housing", _("housing certificate")
    EMPLOYER = "employer", _("employers' relocation subsidy")


@track_changes
class BenefitInstalment(models.Model):
    """One scheduled payment to an included family, and whether it was paid."""

    request = models.ForeignKey(
        QuotaRequest, on_delete=models.PROTECT, related_name="instalments", verbose_name=_("quota request")
    )
    kind = models.CharField(_("benefit"), max_length=12, choices=BenefitKind.choices)
    sequence = models.PositiveSmallIntegerField(_("No."), default=1)
    due_on = models.DateField(_("due on"))
    amount_mci = models.DecimalField(_("amount, MCI"), max_digits=10, decimal_places=2)
    mci_tenge = models.DecimalField(_("MCI value used, tenge"), max_digits=10, decimal_places=2)
    amount_tenge = models.DecimalField(_("amount, tenge"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")  # fmt: skip
    # The employers' subsidy is paid to the employer for one employed family member.
    payee = models.CharField(_("paid to (employer)"), max_length=300, blank=True)
    employee = models.ForeignKey(
        "oralman.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("employed family member"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("benefit instalment")
        verbose_name_plural = _("benefit instalments")
        ordering = ["request", "due_on", "kind", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind", "sequence"], name="one_instalment_per_sequence"),
            models.CheckConstraint(condition=Q(amount_mci__gte=0) & Q(amount_tenge__gte=0), name="instalment_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="employer") | (Q(employee__isnull=False) & ~Q(payee="")),
                name="employer_subsidy_names_employer_and_employee",
            ),
            models.UniqueConstraint(
                fields=["request", "employee"], condition=Q(kind="employer"), name="one_employer_subsidy_per_employee",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sequence}: {self.amount_tenge} ₸"
