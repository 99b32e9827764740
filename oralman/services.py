"""Every change to a case file goes through these functions (admin, API and tasks alike).

Each one checks the rule, locks what it changes, writes, records the transition and queues the
notification in the same transaction; DomainError carries a translated message for the user.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import acting
from core.authz import can
from core.errors import DomainError
from core.iin import iin_warnings
from core.translit import name_key
from core.workdays import add_working_days
from notifications.services import notify
from oralman.models import (
    CERTIFICATE_NUMBER_RE,
    CERTIFICATE_SEQUENCE_MAX,
    ApplicationState,
    ApplicationTransition,
    Document,
    DuplicateFlag,
    Family,
    FamilyMember,
    KandasStatus,
    Person,
    RefusalGround,
    Relationship,
    StatusApplication,
    StatusRule,
    TerminationReason,
)

S = ApplicationState

# The one table of legal moves. Anything not listed here cannot happen.
LEGAL_TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.UNDER_REVIEW, S.RETURNED, S.WITHDRAWN},
    S.UNDER_REVIEW: {S.RETURNED, S.GRANTED, S.REFUSED, S.WITHDRAWN},
    S.RETURNED: {S.SUBMITTED, S.WITHDRAWN},
    S.GRANTED: set(),
    S.REFUSED: set(),
    S.WITHDRAWN: set(),
}


def legal_next_states(state: str) -> list[str]:
    return [s for s in S.values if s in LEGAL_TRANSITIONS[state]]


# --- Rules ----------------------------------------------------------------------------------


def status_rule_on(day: datetime.date) -> StatusRule:
    """The status rules in force on `day` (the latest dated rule not after it)."""
    rule = StatusRule.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    if rule is None:
        raise DomainError(
            _("No status rules are in force on %(date)s; an administrator must add them.") % {"date": day}
        )
    return rule


def decision_deadline(clock_start: datetime.date) -> datetime.date:
    """The last day for the decision: N working days (by the KZ calendar) after the clock starts."""
    return add_working_days(clock_start, status_rule_on(clock_start).decision_working_days)


# --- Persons and duplicates -------------------------------------------------------------------


@dataclass
class PersonResult:
    person: Person
    duplicates: list[DuplicateFlag] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _refresh_name_keys(person: Person) -> None:
    person.name_key = name_key(person.surname, person.given_name)
    person.latin_key = name_key(person.surname_latin, person.given_name_latin)


def likely_duplicates(person: Person) -> list[tuple[Person, str]]:
    """Other persons that are probably the same human: same IIN, same passport, or the same
    script-independent name key and birth date (Cyrillic and Latin spellings compared across)."""
    keys = {k for k in (person.name_key, person.latin_key) if k}
    query = Q(birth_date=person.birth_date) & (Q(name_key__in=keys) | Q(latin_key__in=keys))
    if person.passport_number:
        query |= Q(passport_number=person.passport_number)
    if person.iin:
        query |= Q(iin=person.iin)
    found = []
    for other in Person.objects.filter(query).exclude(pk=person.pk).order_by("pk")[:20]:
        if person.iin and other.iin == person.iin:
            found.append((other, DuplicateFlag.Reason.IIN))
        if person.passport_number and other.passport_number == person.passport_number:
            found.append((other, DuplicateFlag.Reason.PASSPORT))
        if other.birth_date == person.birth_date and keys & {other.name_key, other.latin_key}:
            found.append((other, DuplicateFlag.Reason.NAME_BIRTH_DATE))
    return found


def _full_clean(instance, exclude=None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field_name == "__all__" else field_name) from exc


@transaction.atomic
def person_create(*, actor, **fields) -> PersonResult:
    """Create a person's record. The same IIN is refused (an IIN belongs to one person); the same
    passport or the same name and birth date are accepted and flagged for the caseworker."""
    person = Person(**fields)
    _refresh_name_keys(person)
    _full_clean(person, exclude=["name_key", "latin_key"])
    if person.birth_date > timezone.localdate():
        raise DomainError(_("The date of birth is in the future."), field="birth_date")
    if person.iin and (holder := Person.objects.filter(iin=person.iin).first()):
        raise DomainError(
            _("IIN %(iin)s already belongs to %(name)s (case No. %(id)s).")
            % {"iin": person.iin, "name": holder.full_name, "id": holder.pk},
            field="iin",
            code="duplicate",
        )
    with acting(actor):
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError as exc:
            raise DomainError(_("A person with this IIN already exists."), field="iin", code="duplicate") from exc
        flags = [
            DuplicateFlag.objects.get_or_create(person=person, other=other, reason=reason)[0]
            for other, reason in likely_duplicates(person)
        ]
    warnings = iin_warnings(person.iin, birth_date=person.birth_date, sex=person.sex) if person.iin else []
    return PersonResult(person=person, duplicates=flags, warnings=warnings)


@transaction.atomic
def person_update(*, person: Person, actor, **fields) -> PersonResult:
    person = Person.objects.select_for_update().get(pk=person.pk)
    for name, value in fields.items():
        setattr(person, name, value)
    _refresh_name_keys(person)
    _full_clean(person, exclude=["name_key", "latin_key"])
    if person.iin and Person.objects.filter(iin=person.iin).exclude(pk=person.pk).exists():
        raise DomainError(_("IIN %(iin)s already belongs to another person.") % {"iin": person.iin}, field="iin")
    with acting(actor):
        person.save()
    warnings = iin_warnings(person.iin, birth_date=person.birth_date, sex=person.sex) if person.iin else []
    return PersonResult(person=person, warnings=warnings)


# --- Families -------------------------------------------------------------------------------


@transaction.atomic
def family_create(*, head: Person, actor, region=None) -> Family:
    """A new household with `head` as its head member."""
    with acting(actor):
        family = Family.objects.create(head=head, region=region or head.region)
        family_add_member(family=family, person=head, relationship=Relationship.HEAD, actor=actor)
    return family


@transaction.atomic
def family_add_member(*, family: Family, person: Person, relationship: str, actor, joined_on=None) -> FamilyMember:
    Person.objects.select_for_update().filter(pk=person.pk).first()
    current = FamilyMember.objects.filter(person=person, left_on__isnull=True).select_related("family").first()
    if current is not None:
        raise DomainError(
            _("%(person)s already belongs to another family (No. %(family)s); remove them from it first.")
            % {"person": person, "family": current.family_id},
            field="person",
        )
    with acting(actor):
        try:
            with transaction.atomic():
                return FamilyMember.objects.create(
                    family=family, person=person, relationship=relationship, joined_on=joined_on or timezone.localdate()
                )
        except IntegrityError as exc:
            raise DomainError(
                _("%(person)s already belongs to another family.") % {"person": person}, field="person"
            ) from exc


@transaction.atomic
def family_remove_member(*, member: FamilyMember, actor, left_on=None) -> FamilyMember:
    member = FamilyMember.objects.select_for_update().get(pk=member.pk)
    if member.relationship == Relationship.HEAD:
        raise DomainError(_("The head of the family cannot leave it; appoint another head first."))
    left_on = left_on or timezone.localdate()
    if left_on < member.joined_on:
        raise DomainError(_("A member cannot leave a family before joining it."), field="left_on")
    member.left_on = left_on
    with acting(actor):
        member.save(update_fields=["left_on"])
    return member


def family_size(family: Family) -> int:
    return family.members.filter(left_on__isnull=True).count()


# --- Documents ------------------------------------------------------------------------------


@transaction.atomic
def document_add(*, person: Person, actor, **fields) -> Document:
    document = Document(person=person, uploaded_by=actor, **fields)
    if document.issued_on and document.valid_until and document.valid_until <= document.issued_on:
        raise DomainError(_("A document cannot expire before it was issued."), field="valid_until")
    if document.application_id and document.application.applicant_id != person.pk:
        raise DomainError(_("The application belongs to another person."), field="application")
    _full_clean(document, exclude=["uploaded_by", "verified_by", "person", "application"])
    with acting(actor):
        document.save()
    return document


@transaction.atomic
def document_verify(*, document: Document, actor) -> Document:
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.verified_at:
        raise DomainError(_("This document is already verified."))
    document.verified_by = actor
    document.verified_at = timezone.now()
    with acting(actor):
        document.save(update_fields=["verified_by", "verified_at"])
    return document


# --- Status applications ----------------------------------------------------------------------


@transaction.atomic
def application_create(
    *, applicant: Person, region, actor, family: Family | None = None, channel: str = "psc"
) -> StatusApplication:
    if applicant.citizen_since:
        raise DomainError(
            _("%(person)s is already a citizen of Kazakhstan.") % {"person": applicant}, field="applicant"
        )
    if KandasStatus.objects.filter(person=applicant, terminated_on__isnull=True).exists():
        raise DomainError(
            _("%(person)s already holds an active kandas status.") % {"person": applicant}, field="applicant"
        )
    if StatusApplication.objects.filter(
        applicant=applicant, state__in=["draft", "submitted", "under_review", "returned"]
    ).exists():
        raise DomainError(_("This person already has an open status application."), field="applicant")
    with acting(actor):
        try:
            with transaction.atomic():
                return StatusApplication.objects.create(
                    applicant=applicant, region=region, family=family, channel=channel, created_by=actor
                )
        except IntegrityError as exc:
            raise DomainError(_("This person already has an open status application."), field="applicant") from exc


def _locked(application: StatusApplication) -> StatusApplication:
    return StatusApplication.objects.select_for_update().select_related("applicant").get(pk=application.pk)


def _move(
    application: StatusApplication, to_state: str, *, actor, reason: str = "", fields: tuple = ()
) -> StatusApplication:
    """Check the move against LEGAL_TRANSITIONS, save the changed fields, record the transition."""
    from_state = application.state
    if to_state not in LEGAL_TRANSITIONS[from_state]:
        raise DomainError(
            _("An application that is %(from)s cannot become %(to)s.")
            % {"from": S(from_state).label, "to": S(to_state).label},
            field="state",
            code="illegal_transition",
        )
    application.state = to_state
    with acting(actor, reason=reason):
        application.save(update_fields=["state", "updated_at", *fields])
        ApplicationTransition.objects.create(
            application=application, from_state=from_state, to_state=to_state, actor=actor, reason=reason
        )
    return application


def _start_clock(application: StatusApplication, today: datetime.date) -> None:
    application.clock_started_on = today
    application.decision_due = decision_deadline(today)


@transaction.atomic
def application_submit(
    *, application: StatusApplication, actor, today: datetime.date | None = None
) -> StatusApplication:
    """Submit a draft or resubmit a returned application; the decision clock starts afresh."""
    application = _locked(application)
    today = today or timezone.localdate()
    resubmission = application.state == S.RETURNED
    if application.state in LEGAL_TRANSITIONS and S.SUBMITTED in LEGAL_TRANSITIONS[application.state]:
        application.submitted_on = application.submitted_on or today
        _start_clock(application, today)
    _move(application, S.SUBMITTED, actor=actor, reason=_("resubmitted") if resubmission else "",
          fields=("submitted_on", "clock_started_on", "decision_due"))  # fmt: skip
    return application


@transaction.atomic
def application_start_review(*, application: StatusApplication, actor) -> StatusApplication:
    return _move(_locked(application), S.UNDER_REVIEW, actor=actor)


@transaction.atomic
def application_return(*, application: StatusApplication, actor, reason: str) -> StatusApplication:
    """Return for missing documents: the clock stops until the applicant resubmits."""
    if not reason.strip():
        raise DomainError(_("Say which documents are missing."), field="reason")
    application = _locked(application)
    if S.RETURNED in LEGAL_TRANSITIONS[application.state]:
        application.decision_due = None
    _move(application, S.RETURNED, actor=actor, reason=reason, fields=("decision_due",))
    notify(
        event="status.documents_requested",
        key=f"status-application-{application.pk}-returned-{application.transitions.count()}",
        person=application.applicant,
        context={"application_id": application.pk, "reason": reason},
    )
    return application


@transaction.atomic
def application_withdraw(*, application: StatusApplication, actor, reason: str = "") -> StatusApplication:
    application = _locked(application)
    return _move(application, S.WITHDRAWN, actor=actor, reason=reason)


@transaction.atomic
def application_refuse(
    *, application: StatusApplication, actor, ground: RefusalGround, reason: str = "", today=None
) -> StatusApplication:
    if ground is None:
        raise DomainError(_("A refusal must record its ground."), field="refusal_ground")
    application = _locked(application)
    if S.REFUSED in LEGAL_TRANSITIONS[application.state]:
        application.refusal_ground = ground
        application.decided_on = today or timezone.localdate()
    _move(application, S.REFUSED, actor=actor, reason=reason, fields=("refusal_ground", "decided_on"))
    notify(
        event="status.refused",
        key=f"status-application-{application.pk}-refused",
        person=application.applicant,
        context={"application_id": application.pk, "ground": ground.code},
    )
    return application


# --- Certificate numbers: one sequence row per series -------------------------------------------

#: The first year a paper-era certificate may carry (the repatriation programme began in 1992).
FIRST_CERTIFICATE_YEAR = 1992

NEXT_IN_SERIES_SQL = f"""
INSERT INTO oralman_certificateseries AS s (prefix, last_number) VALUES (%s, 1)
ON CONFLICT (prefix) DO UPDATE SET last_number = s.last_number + 1
WHERE s.last_number < {CERTIFICATE_SEQUENCE_MAX}
RETURNING s.last_number
"""

MOVE_SERIES_PAST_SQL = """
INSERT INTO oralman_certificateseries AS s (prefix, last_number) VALUES (%s, %s)
ON CONFLICT (prefix) DO UPDATE SET last_number = GREATEST(s.last_number, EXCLUDED.last_number)
"""


def certificate_series(region, year: int) -> str:
    """The series of a region and year: "KND-PAVLOD-2026"."""
    return f"KND-{region.code.upper()[:6]}-{year}"


def next_certificate_number(issued_on: datetime.date, region) -> str:
    """The next number of the region's series of the year, from its sequence row.

    The UPSERT locks the series row until the grant commits, so concurrent grants take
    consecutive numbers; a number already held (a legacy number typed by hand) is skipped."""
    prefix = certificate_series(region, issued_on.year)
    while True:
        with connection.cursor() as cursor:
            cursor.execute(NEXT_IN_SERIES_SQL, [prefix])
            row = cursor.fetchone()
        if row is None:
            raise DomainError(
                _("The certificate series %(series)s has no numbers left.") % {"series": prefix},
                field="certificate_number",
            )
        number = f"{prefix}-{row[0]:06d}"
        if not KandasStatus.objects.filter(certificate_number=number).exists():
            return number


def certificate_number_parse(number: str) -> tuple[str, int, int]:
    """(series, year, sequence) of a number written KND-<REGION>-<YEAR>-<6 digits>, else a DomainError."""
    match = CERTIFICATE_NUMBER_RE.fullmatch(number or "")
    if match is None:
        raise DomainError(
            _("A certificate number is written KND-<region>-<year>-<six digits>, for example KND-PAVLOD-2026-000123."),
            field="certificate_number",
        )
    return match["series"], int(match["year"]), int(match["sequence"])


def certificate_number_record(*, number: str, region, actor, today: datetime.date) -> str:
    """Check a paper-era number given by hand and move its series' sequence past it.

    Only an administrator may do it, only in the series of the application's region, with a year
    from 1992 to this year and a sequence from 000001 to 999998 (the series must be able to continue)."""
    if not can(actor, "oralman.record_certificate_number", KandasStatus):
        raise DomainError(
            _("Only an administrator may record a certificate number by hand; leave it empty."),
            field="certificate_number",
        )
    number = number.strip().upper()
    series, year, sequence = certificate_number_parse(number)
    if not FIRST_CERTIFICATE_YEAR <= year <= today.year:
        raise DomainError(
            _("The year of a certificate number must be from %(first)s to %(last)s.")
            % {"first": FIRST_CERTIFICATE_YEAR, "last": today.year},
            field="certificate_number",
        )
    own = certificate_series(region, year)
    if series != own:
        raise DomainError(
            _("This number belongs to another series; the application's region numbers its certificates %(series)s.")
            % {"series": own},
            field="certificate_number",
        )
    if not 1 <= sequence < CERTIFICATE_SEQUENCE_MAX:
        raise DomainError(
            _("The six digits must be from 000001 to 999998, so that the series can continue after the number."),
            field="certificate_number",
        )
    with connection.cursor() as cursor:
        cursor.execute(MOVE_SERIES_PAST_SQL, [series, sequence])
    return number


@transaction.atomic
def application_grant(
    *, application: StatusApplication, actor, today: datetime.date | None = None, certificate_number: str | None = None
) -> KandasStatus:
    """Grant the status: the certificate is issued today and valid for the rule's months."""
    application = _locked(application)
    today = today or timezone.localdate()
    if S.GRANTED in LEGAL_TRANSITIONS[application.state]:
        application.decided_on = today
    _move(application, S.GRANTED, actor=actor, fields=("decided_on",))
    rule = status_rule_on(today)
    if certificate_number:
        number = certificate_number_record(
            number=certificate_number, region=application.region, actor=actor, today=today
        )
    else:
        number = next_certificate_number(today, application.region)
    if KandasStatus.objects.filter(certificate_number=number).exists():
        raise DomainError(
            _("Certificate number %(number)s is already used.") % {"number": number}, field="certificate_number"
        )
    if KandasStatus.objects.filter(person=application.applicant, terminated_on__isnull=True).exists():
        raise DomainError(_("%(person)s already holds an active kandas status.") % {"person": application.applicant})
    with acting(actor):
        status = KandasStatus.objects.create(
            person=application.applicant,
            application=application,
            certificate_number=number,
            issued_on=today,
            valid_until=today + relativedelta(months=rule.validity_months) - datetime.timedelta(days=1),
        )
    notify(
        event="status.granted",
        key=f"status-{status.pk}-granted",
        person=application.applicant,
        context={"certificate_number": number, "valid_until": status.valid_until.isoformat()},
    )
    return status


# --- The status: extension, termination, expiry --------------------------------------------------


def extension_window(status: KandasStatus) -> tuple[datetime.date, datetime.date]:
    """The first and last day on which an extension may be asked for."""
    rule = status_rule_on(status.issued_on)
    opens = status.valid_until - datetime.timedelta(days=rule.extension_opens_days_before_expiry)
    closes = status.valid_until + relativedelta(months=rule.extension_closes_months_after_expiry)
    return opens, closes


@transaction.atomic
def status_extend(
    *, status: KandasStatus, actor, today: datetime.date | None = None, months: int | None = None
) -> KandasStatus:
    """Extend the certificate by the rule's length (or fewer months), within the window and count."""
    status = KandasStatus.objects.select_for_update().get(pk=status.pk)
    today = today or timezone.localdate()
    rule = status_rule_on(status.issued_on)
    if status.terminated_on and status.termination_reason != TerminationReason.EXPIRY:
        raise DomainError(_("A terminated status cannot be extended."))
    if status.extensions >= rule.max_extensions:
        raise DomainError(
            _("This status has already been extended the allowed %(n)s time(s).") % {"n": rule.max_extensions}
        )
    opens, closes = extension_window(status)
    if not opens <= today <= closes:
        raise DomainError(
            _("An extension can be granted from %(opens)s to %(closes)s.") % {"opens": opens, "closes": closes}
        )
    months = months or rule.extension_months
    if not 0 < months <= rule.extension_months:
        raise DomainError(_("An extension is for 1 to %(n)s months.") % {"n": rule.extension_months}, field="months")
    base = max(status.valid_until, today - datetime.timedelta(days=1))
    status.valid_until = base + relativedelta(months=months)
    status.extensions += 1
    status.terminated_on = None
    status.termination_reason = ""
    with acting(actor):
        status.save(update_fields=["valid_until", "extensions", "terminated_on", "termination_reason"])
    return status


@transaction.atomic
def status_terminate(
    *, status: KandasStatus, actor, reason: str, on: datetime.date | None = None, note: str = ""
) -> KandasStatus:
    """End a status early (citizenship, revocation, departure, death) or on expiry."""
    status = KandasStatus.objects.select_for_update().get(pk=status.pk)
    if status.terminated_on:
        raise DomainError(_("This status already ended on %(date)s.") % {"date": status.terminated_on})
    if reason not in TerminationReason.values:
        raise DomainError(_("Choose a termination reason."), field="reason")
    on = on or timezone.localdate()
    if on < status.issued_on:
        raise DomainError(_("A status cannot end before it was issued."), field="on")
    status.terminated_on = on
    status.termination_reason = reason
    status.termination_note = note
    with acting(actor):
        status.save(update_fields=["terminated_on", "termination_reason", "termination_note"])
    return status


def status_expire_due(*, today: datetime.date | None = None) -> int:
    """Close every status whose validity ended before today (a daily job); returns how many."""
    today = today or timezone.localdate()
    expired = 0
    due = KandasStatus.objects.filter(terminated_on__isnull=True, valid_until__lt=today).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            status = (
                KandasStatus.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, terminated_on__isnull=True)
                .first()
            )
            if status is None:
                continue
            status.terminated_on = status.valid_until + datetime.timedelta(days=1)
            status.termination_reason = TerminationReason.EXPIRY
            with acting(None, job="status_expire_due"):
                status.save(update_fields=["terminated_on", "termination_reason"])
            expired += 1
    return expired


def active_status_of(person: Person, on: datetime.date | None = None) -> KandasStatus | None:
    on = on or timezone.localdate()
    return (
        KandasStatus.objects.filter(person=person, terminated_on__isnull=True, issued_on__lte=on, valid_until__gte=on)
        .order_by("-issued_on")
        .first()
    )
