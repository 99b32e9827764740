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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import authz
from core.audit import acting
from core.errors import DomainError
from core.iin import iin_warnings, parse_iin
from core.transitions import Moves, StateMachine
from core.translit import latin_spelling, name_key
from core.validators import normalize_phone
from core.workdays import add_working_days
from notifications.events import Event
from notifications.models import Notification
from notifications.services import notify
from oralman.matching import likely_duplicates
from oralman.models import (
    CERTIFICATE_NUMBER_RE,
    CERTIFICATE_SEQUENCE_MAX,
    ApplicationMember,
    ApplicationState,
    ApplicationTransition,
    CaseNote,
    Channel,
    Document,
    DocumentType,
    DuplicateFlag,
    Family,
    FamilyMember,
    KandasStatus,
    Person,
    Recommendation,
    RefusalGround,
    Relationship,
    StatusApplication,
    StatusRequiredDocument,
    StatusRule,
    TerminationReason,
    Translation,
)

S = ApplicationState

# The one table of legal moves. Anything not listed here cannot happen.
LEGAL_TRANSITIONS: Moves = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.UNDER_REVIEW, S.RETURNED, S.WITHDRAWN},
    # Straight to a decision under the rules without a commission; through it under those with one
    # (the dated rule decides, see _check_commission).
    S.UNDER_REVIEW: {S.COMMISSION, S.RETURNED, S.GRANTED, S.REFUSED, S.WITHDRAWN},
    S.COMMISSION: {S.RETURNED, S.GRANTED, S.REFUSED, S.WITHDRAWN},
    S.RETURNED: {S.SUBMITTED, S.WITHDRAWN},
    S.GRANTED: set(),
    S.REFUSED: set(),
    S.WITHDRAWN: set(),
}


def _locked(application: StatusApplication) -> StatusApplication:
    return (
        StatusApplication.objects.select_for_update(of=("self",))
        .select_related("applicant", "representative")
        .get(pk=application.pk)
    )


# The pattern every state machine follows (core.transitions): check the move against
# LEGAL_TRANSITIONS, save the changed fields, record the transition.
MACHINE = StateMachine(
    moves=LEGAL_TRANSITIONS,
    states=S,
    refusal=gettext_lazy("An application that is %(from)s cannot become %(to)s."),
    lock=_locked,
    journal=ApplicationTransition,
)


def legal_next_states(state: str) -> list[str]:
    return MACHINE.next_states(state)


def application_next_states(application: StatusApplication) -> list[str]:
    """The moves the services would accept for this application now: the table's, narrowed by its
    dated rule (no commission step: no referral; with one: a decision only once the commission has
    recommended). The admin's buttons come from here."""
    states = MACHINE.next_states(application.state)
    if not ({S.COMMISSION, S.GRANTED, S.REFUSED} & set(states)):
        return states
    rule = _rule_of(application)
    if not rule.commission_working_days:
        return [s for s in states if s != S.COMMISSION]
    if _commission_pending(application, rule):
        return [s for s in states if s not in (S.GRANTED, S.REFUSED)]
    return states


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


LATIN_FIELDS = (("surname", "surname_latin"), ("given_name", "given_name_latin"), ("patronymic", "patronymic_latin"))


def _complete_entry(person: Person) -> None:
    """What the desk, the API and the imports leave to the system: the phone in E.164, and each
    Latin name left empty spelled from the Cyrillic one (core.translit.latin_spelling)."""
    person.phone = normalize_phone(person.phone)
    for cyrillic, latin in LATIN_FIELDS:
        if not (getattr(person, latin) or "").strip() and (spelled := latin_spelling(getattr(person, cyrillic))):
            setattr(person, latin, spelled)


def _refresh_name_keys(person: Person) -> None:
    _complete_entry(person)
    person.name_key = name_key(person.surname, person.given_name)
    person.latin_key = name_key(person.surname_latin, person.given_name_latin)


def _full_clean(instance, exclude=None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field_name == "__all__" else field_name) from exc


def _duplicate_iin_message(iin: str, holder: Person, actor) -> str:
    """Name the holder only to someone who may see the holder's file (core.authz)."""
    if actor is not None and authz.can(actor, authz.VIEW, holder):
        return _("IIN %(iin)s already belongs to %(name)s (case No. %(id)s).") % {
            "iin": iin,
            "name": holder.full_name,
            "id": holder.pk,
        }
    return _("IIN %(iin)s is already registered to a person in another case file.") % {"iin": iin}


@transaction.atomic
def person_create(*, actor, authorized_by_caller: bool = False, **fields) -> PersonResult:
    """Create a person's record. The same IIN is refused (an IIN belongs to one person); the same
    passport or the same name and birth date are accepted and flagged for the caseworker.

    `authorized_by_caller`: a service that owns a narrower move which creates a file (a center
    clerk registering an unannounced arrival at the desk) has already asked core.authz for it."""
    if not authorized_by_caller:
        authz.authorize_actor(actor, authz.ADD, Person)
    person = Person(**fields)
    _refresh_name_keys(person)
    _full_clean(person, exclude=["name_key", "latin_key"])
    if person.birth_date > timezone.localdate():
        raise DomainError(_("The date of birth is in the future."), field="birth_date")
    if person.iin and (holder := Person.objects.filter(iin=person.iin).first()):
        raise DomainError(_duplicate_iin_message(person.iin, holder, actor), field="iin", code="duplicate")
    with acting(actor):
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError as exc:
            raise DomainError(_("A person with this IIN already exists."), field="iin", code="duplicate") from exc
        flags = [
            DuplicateFlag.objects.get_or_create(
                person=person, other=other, reason=reason, defaults={"similarity": similarity}
            )[0]
            for other, reason, similarity in likely_duplicates(person)
        ]
    warnings = iin_warnings(person.iin, birth_date=person.birth_date, sex=person.sex) if person.iin else []
    return PersonResult(person=person, duplicates=flags, warnings=warnings)


@transaction.atomic
def person_update(*, person: Person, actor, **fields) -> PersonResult:
    authz.authorize_actor(actor, authz.CHANGE, person)
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
    """A new household with `head` as its head member. A caseworker of the family's region who
    creates it takes the case: it is assigned to them (their home page's "my cases")."""
    authz.authorize_actor(actor, authz.ADD, Family)
    authz.authorize_actor(actor, authz.VIEW, head)
    region = region or head.region
    assignee = actor if is_caseworker_of(actor, getattr(region, "pk", None)) else None
    with acting(actor):
        family = Family.objects.create(head=head, region=region, assigned_caseworker=assignee)
        family_add_member(family=family, person=head, relationship=Relationship.HEAD, actor=actor)
    return family


@transaction.atomic
def family_add_member(*, family: Family, person: Person, relationship: str, actor, joined_on=None) -> FamilyMember:
    authz.authorize_actor(actor, "oralman.add_familymember", family)
    authz.authorize_actor(actor, authz.VIEW, person)
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
    authz.authorize_actor(actor, authz.DELETE, member)
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
    authz.authorize_actor(actor, authz.ADD, Document)
    authz.authorize_actor(actor, authz.VIEW, person)
    document = Document(person=person, uploaded_by=actor, **fields)
    if document.issued_on and document.valid_until and document.valid_until <= document.issued_on:
        raise DomainError(_("A document cannot expire before it was issued."), field="valid_until")
    if document.application_id and person.pk not in {
        document.application.applicant_id,
        *document.application.listed_members.values_list("person_id", flat=True),
    }:
        raise DomainError(_("The application belongs to another person."), field="application")
    _full_clean(document, exclude=["uploaded_by", "verified_by", "person", "application"])
    with acting(actor):
        document.save()
    return document


@transaction.atomic
def document_verify(*, document: Document, actor) -> Document:
    authz.authorize_actor(actor, authz.CHANGE, document)
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.verified_at:
        raise DomainError(_("This document is already verified."))
    document.verified_by = actor
    document.verified_at = timezone.now()
    with acting(actor):
        document.save(update_fields=["verified_by", "verified_at"])
    return document


# --- Status applications ----------------------------------------------------------------------

OPEN_STATES = [S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.COMMISSION, S.RETURNED]

# Civil Code art. 17: full capacity at 18. A minor never applies alone (DOMAIN.md, the status).
ADULT_AGE = 18


def eligibility_problems(person: Person, *, verified: bool) -> list[str]:
    """Why `person` may not receive the status (an empty list: eligible).

    Law on Migration No. 477-IV art. 1 as amended 13 May 2020: kandas are ethnic Kazakhs, and the
    members of their families of Kazakh nationality, who were never citizens of Kazakhstan. The
    nationality is recorded and backed by a document (at submission filed, at the grant verified);
    the "was ever a citizen of Kazakhstan" answer must be recorded and be "no"."""
    name = person.full_name
    problems = []
    if person.citizen_since or person.former_kz_citizen:
        problems.append(
            _("%(person)s is or was a citizen of Kazakhstan: the status is only for those who never were.")
            % {"person": name}
        )
    elif person.former_kz_citizen is None:
        problems.append(
            _("Record whether %(person)s was ever a citizen of Kazakhstan (the answer must be 'no').")
            % {"person": name}
        )
    if not person.is_kazakh_nationality:
        problems.append(
            _("The recorded nationality of %(person)s is not Kazakh: a family member of another nationality stays "
              "on the family's file but gets no status.") % {"person": name}
        )  # fmt: skip
    else:
        proofs = Document.objects.filter(person=person, doc_type=DocumentType.ETHNICITY_PROOF)
        if verified:
            proofs = proofs.filter(verified_at__isnull=False)
        if not proofs.exists():
            problems.append(
                (_("No verified document proves the Kazakh nationality of %(person)s.") if verified
                 else _("No document proves the Kazakh nationality of %(person)s.")) % {"person": name}
            )  # fmt: skip
    return problems


def _check_eligible(persons: list[Person], *, verified: bool) -> None:
    problems = [p for person in persons for p in eligibility_problems(person, verified=verified)]
    if problems:
        raise DomainError(" ".join(problems), field="applicant", code="not_eligible")


def _check_representative(application: StatusApplication, on: datetime.date) -> None:
    """A minor (under 18) never applies alone: a parent or guardian, an adult, is the representative."""
    applicant = application.applicant
    if applicant.age_on(on) >= ADULT_AGE:
        return
    representative = application.representative
    if representative is None:
        raise DomainError(
            _("%(person)s is %(age)s years old: a minor cannot apply alone; record the parent or guardian "
              "who applies as the representative.") % {"person": applicant, "age": applicant.age_on(on)},
            field="representative", code="minor_alone",
        )  # fmt: skip
    if representative.pk == applicant.pk or representative.age_on(on) < ADULT_AGE:
        raise DomainError(
            _("The representative of a minor must be an adult parent or guardian."), field="representative"
        )


def grantees(application: StatusApplication) -> list[Person]:
    """The applicant and every family member listed on the application, in that order."""
    members = [m.person for m in application.listed_members.select_related("person").order_by("id")]
    return [application.applicant, *members]


def required_documents() -> list[StatusRequiredDocument]:
    return list(StatusRequiredDocument.objects.filter(active=True).order_by("doc_type"))


@dataclass
class MissingDocument:
    person: Person
    doc_type: str
    problem: str  # "missing", "unverified", "expired" or "translation"

    def __str__(self) -> str:
        label = DocumentType(self.doc_type).label
        if self.problem == "unverified":
            label = _("%(document)s (not verified)") % {"document": label}
        elif self.problem == "expired":
            label = _("%(document)s (expired)") % {"document": label}
        elif self.problem == "translation":
            label = _("%(document)s (no notarised translation)") % {"document": label}
        return f"{self.person.full_name}: {label}"


def missing_documents(
    application: StatusApplication, *, verified: bool = True, on: datetime.date | None = None
) -> list[MissingDocument]:
    """The checklist of the status grant: each required document of the applicant (and, for the
    types required from everyone, of each listed family member), filed, verified by a caseworker when
    `verified`, not expired on `on`, and with a notarised translation where the type needs one unless
    the original is in Kazakh or Russian. Source: the Government Corporation's list (August 2025) and
    the egov service "Assignment/extension of kandas status"; the list itself is StatusRequiredDocument."""
    on = on or timezone.localdate()
    persons = grantees(application)
    documents: dict[tuple[int, str], list[Document]] = {}
    for document in Document.objects.filter(person__in=persons):
        documents.setdefault((document.person_id, document.doc_type), []).append(document)
    missing = []
    for required in required_documents():
        owners = persons if required.for_whom == StatusRequiredDocument.ForWhom.EVERY_PERSON else persons[:1]
        for person in owners:
            problem = document_problem(
                documents.get((person.pk, required.doc_type), []), required, verified=verified, on=on
            )
            if problem:
                missing.append(MissingDocument(person=person, doc_type=required.doc_type, problem=problem))
    return missing


def document_problem(filed: list[Document], required: StatusRequiredDocument, *, verified: bool, on) -> str:
    """What is wrong with the documents filed for one required type: "" (nothing), "missing",
    "expired", "translation" or "unverified" (also read by the case file's checklist)."""
    problem = "missing"
    for document in filed:
        if document.valid_until and document.valid_until < on:
            problem = "expired" if problem == "missing" else problem
            continue
        if required.needs_translation and document.translation not in (Translation.ORIGINAL, Translation.NOTARISED):
            problem = "translation"
            continue
        if verified and document.verified_at is None:
            problem = "unverified"
            continue
        return ""
    return problem


def _check_documents(application: StatusApplication, *, verified: bool, on: datetime.date) -> None:
    missing = missing_documents(application, verified=verified, on=on)
    if missing:
        raise DomainError(
            _("The documents are not complete: %(missing)s.") % {"missing": "; ".join(str(m) for m in missing)},
            field="documents",
            code="documents_missing",
        )


def application_warnings(application: StatusApplication) -> list[str]:
    """What the caseworker should see on a new application: an earlier status of the applicant or a
    listed member that was revoked or ended early (DOMAIN.md: a warning, the caseworker decides; a
    previous revoked status is a refusal ground of the policy list)."""
    persons = grantees(application) if application.pk else [application.applicant]
    earlier = (
        KandasStatus.objects.filter(person__in=persons, terminated_on__isnull=False)
        .exclude(termination_reason=TerminationReason.EXPIRY)
        .select_related("person")
        .order_by("terminated_on")
    )
    if application.pk:
        earlier = earlier.exclude(application=application)
    return [
        _("%(person)s held a status (certificate %(number)s) that ended on %(date)s: %(reason)s.")
        % {
            "person": status.person.full_name,
            "number": status.certificate_number,
            "date": status.terminated_on.strftime("%d.%m.%Y"),
            "reason": TerminationReason(status.termination_reason).label,
        }
        for status in earlier
    ]


def _check_channel(channel: str, on: datetime.date) -> None:
    if channel not in Channel.values:
        raise DomainError(_("Choose the channel the application came through."), field="channel")
    if channel == Channel.MIGRATION_PORTAL and not status_rule_on(on).migration_portal_open:
        raise DomainError(
            _("The migration portal does not accept status applications under the rules in force on %(date)s.")
            % {"date": on.strftime("%d.%m.%Y")},
            field="channel",
        )


@transaction.atomic
def application_create(
    *,
    applicant: Person,
    region,
    actor,
    family: Family | None = None,
    channel: str = "psc",
    representative: Person | None = None,
    today: datetime.date | None = None,
) -> StatusApplication:
    """Open a draft. A person who is or was a citizen of Kazakhstan is refused at once (Law on
    Migration art. 1); a minor needs a representative (an adult parent or guardian); the migration
    portal channel only where the rule in force opens it. An earlier revoked or early-ended status is
    returned in `application.warnings` for the caseworker."""
    authz.authorize_actor(actor, authz.ADD, StatusApplication)
    authz.authorize_actor(actor, authz.VIEW, applicant)
    today = today or timezone.localdate()
    if applicant.citizen_since or applicant.former_kz_citizen:
        raise DomainError(
            _("%(person)s is or was a citizen of Kazakhstan: the status is only for those who never were.")
            % {"person": applicant},
            field="applicant",
            code="not_eligible",
        )
    if KandasStatus.objects.filter(person=applicant, terminated_on__isnull=True).exists():
        raise DomainError(
            _("%(person)s already holds an active kandas status.") % {"person": applicant}, field="applicant"
        )
    if StatusApplication.objects.filter(applicant=applicant, state__in=OPEN_STATES).exists():
        raise DomainError(_("This person already has an open status application."), field="applicant")
    _check_channel(channel, today)
    if family is None:
        membership = FamilyMember.objects.filter(person=applicant, left_on__isnull=True).first()
        family = membership.family if membership else None
    application = StatusApplication(
        applicant=applicant, region=region, family=family, channel=channel, created_by=actor,
        representative=representative,
    )  # fmt: skip
    _check_representative(application, today)
    with acting(actor):
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError as exc:
            raise DomainError(_("This person already has an open status application."), field="applicant") from exc
    application.warnings = application_warnings(application)
    return application


@transaction.atomic
def application_list_member(
    *, application: StatusApplication, person: Person, actor, today: datetime.date | None = None
) -> ApplicationMember:
    """List a family member on the application (one application for the family, egov service
    "Assignment/extension of kandas status"): a current member of the applicant's family, not yet
    holding a status nor on another open application. A minor member is represented by the
    applicant (or the applicant's own representative)."""
    application = _locked(application)
    today = today or timezone.localdate()
    if application.state not in (S.DRAFT, S.RETURNED, S.SUBMITTED, S.UNDER_REVIEW):
        raise DomainError(_("Family members can only be listed before the decision."), field="person")
    if person.pk == application.applicant_id:
        raise DomainError(_("The applicant is already on the application."), field="person")
    if (
        application.family_id is None
        or not FamilyMember.objects.filter(
            family_id=application.family_id, person=person, left_on__isnull=True
        ).exists()
    ):
        raise DomainError(
            _("%(person)s is not a member of the applicant's family; add them to the family first.")
            % {"person": person},
            field="person",
        )
    if person.citizen_since or person.former_kz_citizen:
        raise DomainError(
            _("%(person)s is or was a citizen of Kazakhstan: the status is only for those who never were.")
            % {"person": person},
            field="person",
            code="not_eligible",
        )
    if KandasStatus.objects.filter(person=person, terminated_on__isnull=True).exists():
        raise DomainError(_("%(person)s already holds an active kandas status.") % {"person": person}, field="person")
    if (
        StatusApplication.objects.filter(applicant=person, state__in=OPEN_STATES).exists()
        or ApplicationMember.objects.filter(person=person, application__state__in=OPEN_STATES)
        .exclude(application=application)
        .exists()
    ):
        raise DomainError(_("%(person)s is already on another open application.") % {"person": person}, field="person")
    if ApplicationMember.objects.filter(application=application, person=person).exists():
        raise DomainError(_("%(person)s is already listed.") % {"person": person}, field="person")
    representative = None
    if person.age_on(today) < ADULT_AGE:
        adult = (
            application.applicant if application.applicant.age_on(today) >= ADULT_AGE else application.representative
        )
        representative = adult
    with acting(actor):
        return ApplicationMember.objects.create(application=application, person=person, representative=representative)


@transaction.atomic
def application_unlist_member(*, member: ApplicationMember, actor) -> None:
    application = _locked(member.application)
    if application.state in (S.GRANTED, S.REFUSED, S.WITHDRAWN):
        raise DomainError(_("The application is decided; its list of family members is final."))
    with acting(actor):
        member.delete()


def _start_clock(application: StatusApplication, today: datetime.date) -> None:
    application.clock_started_on = today
    application.decision_due = decision_deadline(today)


@transaction.atomic
def application_submit(
    *, application: StatusApplication, actor, today: datetime.date | None = None
) -> StatusApplication:
    """Submit a draft or resubmit a returned application; the decision clock starts afresh.

    The applicant and each listed member must be eligible (Law on Migration art. 1: Kazakh
    nationality with a document filed, never a citizen of Kazakhstan); a minor applicant needs a
    representative; under a rule that refuses an incomplete package at acceptance (October 2025)
    every required document must be filed (verification comes at the grant)."""
    application = _locked(application)
    today = today or timezone.localdate()
    resubmission = application.state == S.RETURNED
    if MACHINE.allows(application.state, S.SUBMITTED):
        rule = status_rule_on(today)
        _check_representative(application, today)
        _check_channel(application.channel, today)
        _check_eligible(grantees(application), verified=False)
        if rule.refuse_incomplete_at_submission:
            _check_documents(application, verified=False, on=today)
        application.submitted_on = application.submitted_on or today
        _start_clock(application, today)
    MACHINE.move(application, S.SUBMITTED, actor=actor, reason=_("resubmitted") if resubmission else "",
          fields=("submitted_on", "clock_started_on", "decision_due"))  # fmt: skip
    return application


@transaction.atomic
def application_start_review(*, application: StatusApplication, actor) -> StatusApplication:
    return MACHINE.move(application, S.UNDER_REVIEW, actor=actor, lock=True)


def _rule_of(application: StatusApplication) -> StatusRule:
    """The rule that governs a case: the one in force when its clock started."""
    return status_rule_on(application.clock_started_on or application.submitted_on or timezone.localdate())


@transaction.atomic
def application_refer_to_commission(
    *, application: StatusApplication, actor, today: datetime.date | None = None
) -> StatusApplication:
    """Send a reviewed case to the commission, which recommends within the rule's working days
    (October 2025 rules: 3). Only under a rule that has a commission step."""
    application = _locked(application)
    today = today or timezone.localdate()
    rule = _rule_of(application)
    if MACHINE.allows(application.state, S.COMMISSION):
        if not rule.commission_working_days:
            raise DomainError(
                _("The rules in force since %(date)s have no commission step.")
                % {"date": rule.valid_from.strftime("%d.%m.%Y")}
            )
        application.commission_due = add_working_days(today, rule.commission_working_days)
    return MACHINE.move(application, S.COMMISSION, actor=actor, fields=("commission_due",))


@transaction.atomic
def application_commission_recommend(
    *, application: StatusApplication, actor, recommendation: str, note: str = "", today: datetime.date | None = None
) -> StatusApplication:
    """Record the commission's recommendation (grant or refuse); the department then decides."""
    application = _locked(application)
    if application.state != S.COMMISSION:
        raise DomainError(_("Only an application with the commission can receive its recommendation."))
    if recommendation not in Recommendation.values:
        raise DomainError(_("Choose the commission's recommendation."), field="recommendation")
    application.commission_recommendation = recommendation
    application.commission_recommended_on = today or timezone.localdate()
    with acting(actor, reason=note):
        application.save(update_fields=["commission_recommendation", "commission_recommended_on", "updated_at"])
    return application


def _commission_pending(application: StatusApplication, rule: StatusRule) -> bool:
    """Under a rule with a commission step, has the commission not yet recommended?"""
    if not rule.commission_working_days:
        return False
    return application.state != S.COMMISSION or not application.commission_recommendation


def _check_commission(application: StatusApplication) -> None:
    """Under a rule with a commission step the department decides only on its recommendation."""
    rule = _rule_of(application)
    if _commission_pending(application, rule):
        raise DomainError(
            _("Under the rules in force since %(date)s the commission recommends first (within %(days)s working "
              "days); refer the case to it.") % {"date": rule.valid_from.strftime("%d.%m.%Y"),
                                                  "days": rule.commission_working_days},
            field="state", code="commission_first",
        )  # fmt: skip


@transaction.atomic
def application_return(*, application: StatusApplication, actor, reason: str) -> StatusApplication:
    """Return for missing documents: the clock stops until the applicant resubmits."""
    if not reason.strip():
        raise DomainError(_("Say which documents are missing."), field="reason")
    application = _locked(application)
    if MACHINE.allows(application.state, S.RETURNED):
        application.decision_due = None
    MACHINE.move(application, S.RETURNED, actor=actor, reason=reason, fields=("decision_due",))
    notify(
        event="status.documents_requested",
        key=f"status-application-{application.pk}-returned-{application.transitions.count()}",
        person=application.applicant,
        context={"application_id": application.pk, "reason": reason},
    )
    return application


@transaction.atomic
def application_withdraw(*, application: StatusApplication, actor, reason: str = "") -> StatusApplication:
    return MACHINE.move(application, S.WITHDRAWN, actor=actor, reason=reason, lock=True)


@transaction.atomic
def application_refuse(
    *, application: StatusApplication, actor, ground: RefusalGround, reason: str = "", today=None
) -> StatusApplication:
    if ground is None:
        raise DomainError(_("A refusal must record its ground."), field="refusal_ground")
    application = _locked(application)
    if MACHINE.allows(application.state, S.REFUSED):
        _check_commission(application)
        application.refusal_ground = ground
        application.decided_on = today or timezone.localdate()
    MACHINE.move(application, S.REFUSED, actor=actor, reason=reason, fields=("refusal_ground", "decided_on"))
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
    if not authz.can(actor, "oralman.record_certificate_number", KandasStatus):
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


def term_end(start: datetime.date, months: int) -> datetime.date:
    """The last day of a term counted in months or years from `start`: the same day of the last
    month (Law on administrative procedures art. 12-1, kept by the Administrative Procedural Code);
    with no such day (29 February) the last day of that month. 10.03.2026 + 12 -> 10.03.2027;
    29.02.2028 + 12 -> 28.02.2029."""
    return start + relativedelta(months=months)


def _record_iins(persons: list[Person], iins: dict[int, str], actor) -> list[str]:
    """Validate and record the IIN of each grantee who has none (the first certificate carries it).
    A wrong or future-dated IIN, or one held by someone else, refuses the grant; a birth date or sex
    that differs from the person's is a warning."""
    warnings = []
    for person in persons:
        given = (iins.get(person.pk) or "").strip()
        if person.iin:
            if given and given != person.iin:
                raise DomainError(
                    _("%(person)s already has the IIN %(iin)s.") % {"person": person.full_name, "iin": person.iin},
                    field="iin",
                )
            continue
        if not given:
            raise DomainError(
                _("Enter the IIN of %(person)s: it is recorded with the first certificate.")
                % {"person": person.full_name},
                field="iin",
                code="iin_required",
            )
        try:
            parse_iin(given)
        except ValidationError as exc:
            raise DomainError(f"{person.full_name}: {exc.messages[0]}", field="iin", code="iin_invalid") from exc
        if holder := Person.objects.filter(iin=given).exclude(pk=person.pk).first():
            raise DomainError(_duplicate_iin_message(given, holder, actor), field="iin", code="duplicate")
        person.iin = given
        with acting(actor):
            person.save(update_fields=["iin", "updated_at"])
        warnings += [
            f"{person.full_name}: {w}" for w in iin_warnings(given, birth_date=person.birth_date, sex=person.sex)
        ]
    return warnings


@transaction.atomic
def application_grant(
    *,
    application: StatusApplication,
    actor,
    today: datetime.date | None = None,
    certificate_number: str | None = None,
    iin: str | None = None,
    iins: dict[int, str] | None = None,
) -> KandasStatus:
    """Grant the status to the applicant and each listed family member, each with a certificate of
    their own issued today and valid through the same day a year later (term_end).

    Refused unless: each grantee is eligible (Law on Migration art. 1, as amended 13.05.2020: Kazakh
    nationality with a verified document, never a citizen of Kazakhstan); a minor applicant has a
    representative; the required-documents checklist is complete and verified (missing_documents);
    the commission has recommended where the rule has one; and each grantee has an IIN, recorded now
    when missing (`iin` for the applicant, `iins` by person id). Returns the applicant's status;
    `status.family_statuses` and `status.warnings` carry the rest."""
    application = _locked(application)
    today = today or timezone.localdate()
    iins = {**(iins or {}), **({application.applicant_id: iin} if iin else {})}
    persons = grantees(application)
    if MACHINE.allows(application.state, S.GRANTED):
        _check_commission(application)
        _check_representative(application, today)
        _check_eligible(persons, verified=True)
        _check_documents(application, verified=True, on=today)
        application.decided_on = today
    MACHINE.move(application, S.GRANTED, actor=actor, fields=("decided_on",))
    for person in persons:
        if KandasStatus.objects.filter(person=person, terminated_on__isnull=True).exists():
            raise DomainError(_("%(person)s already holds an active kandas status.") % {"person": person})
    warnings = _record_iins(persons, iins, actor)
    rule = status_rule_on(today)
    statuses = []
    for index, person in enumerate(persons):
        if index == 0 and certificate_number:
            number = certificate_number_record(
                number=certificate_number, region=application.region, actor=actor, today=today
            )
        else:
            number = next_certificate_number(today, application.region)
        if KandasStatus.objects.filter(certificate_number=number).exists():
            raise DomainError(
                _("Certificate number %(number)s is already used.") % {"number": number}, field="certificate_number"
            )
        with acting(actor):
            status = KandasStatus.objects.create(
                person=person,
                application=application,
                certificate_number=number,
                issued_on=today,
                valid_until=term_end(today, rule.validity_months),
            )
        notify(
            event="status.granted",
            key=f"status-{status.pk}-granted",
            person=person,
            context={"certificate_number": number, "valid_until": status.valid_until.isoformat()},
        )
        statuses.append(status)
    status = statuses[0]
    status.family_statuses = statuses[1:]
    status.warnings = warnings
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
    authz.authorize_actor(actor, authz.CHANGE, status)
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
    # The extension runs from the end of the current term, or from today when asked after expiry,
    # and ends on the same day of the last month (term_end).
    status.valid_until = term_end(max(status.valid_until, today), months)
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
    authz.authorize_actor(actor, authz.CHANGE, status)
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


# --- Status expiring reminders (a daily job, oralman.tasks) ------------------------------------


def expiring_statuses(*, today: datetime.date, days_ahead: int):
    """Active statuses (not terminated) whose certificate is still valid today and ends within
    `days_ahead` days: valid_until in [today, today + days_ahead]."""
    return (
        KandasStatus.objects.filter(
            terminated_on__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=days_ahead),
        )
        .select_related("person")
        .order_by("valid_until", "pk")
    )


def status_expiring_key(status) -> str:
    # The expiry date is part of the key: an extended status is reminded again of its new end.
    return f"status-{status.pk}-expiring-{status.valid_until.isoformat()}"


def status_expiring_remind(*, today: datetime.date | None = None, days_ahead: int = 30) -> int:
    """Remind every holder of a status that ends within `days_ahead` days (once per end date).

    A window rather than one exact day, so a day the job did not run is caught up the next day.
    Returns the number of new notifications."""
    today = today or timezone.localdate()
    statuses = list(expiring_statuses(today=today, days_ahead=days_ahead))
    already = set(
        Notification.objects.filter(key__in=[status_expiring_key(s) for s in statuses]).values_list("key", flat=True)
    )
    created = 0
    for status in statuses:
        key = status_expiring_key(status)
        if key in already:
            continue
        with transaction.atomic():
            notify(
                event=Event.STATUS_EXPIRING,
                key=key,
                person=status.person,
                context={
                    "certificate_number": status.certificate_number,
                    "valid_until": status.valid_until.isoformat(),
                    "days_left": (status.valid_until - today).days,
                },
            )
        created += 1
    return created


def active_status_of(person: Person, on: datetime.date | None = None) -> KandasStatus | None:
    on = on or timezone.localdate()
    return (
        KandasStatus.objects.filter(person=person, terminated_on__isnull=True, issued_on__lte=on, valid_until__gte=on)
        .order_by("-issued_on")
        .first()
    )


# --- The family's case: assignment, transfer, notes, family-wide filing ------------------------


def is_caseworker_of(user, region_id) -> bool:
    """An active caseworker of the region (who may be assigned its families)."""
    from core.roles import Role, role_of

    return bool(user and user.is_active and role_of(user) == Role.CASEWORKER and user.region_id == region_id)


@transaction.atomic
def family_assign(*, family: Family, caseworker, actor) -> Family:
    """Assign the family's case to `caseworker` (None: unassign). The assignee must be an active
    caseworker of the family's region; the actor needs oralman.assign_family on the family."""
    authz.authorize_actor(actor, "oralman.assign_family", family)
    family = Family.objects.select_for_update().get(pk=family.pk)
    if caseworker is not None and not is_caseworker_of(caseworker, family.region_id):
        raise DomainError(
            _("Only an active caseworker of the family's region can be assigned."), field="assigned_caseworker"
        )
    if family.assigned_caseworker_id == (caseworker.pk if caseworker else None):
        return family
    family.assigned_caseworker = caseworker
    with acting(actor, action="assign"):
        family.save(update_fields=["assigned_caseworker"])
    return family


# The states in which a status application is still with the department: it follows the family.
OPEN_STATES_FOR_TRANSFER = OPEN_STATES


@transaction.atomic
def family_transfer(*, family: Family, region, actor, reason: str) -> Family:
    """Move a family's case to another region (the family settled elsewhere).

    What moves: the family, every current member's region of residence, and the family's open
    status applications (draft to commission and returned; their deadline is kept). What stays:
    decided applications and statuses (the old region decided them and counts them), quota
    requests (a request draws on one region's quota; a new one is filed in the new region),
    placements in centers, and citizenship applications (filed with one region's body). The
    assigned caseworker is cleared (they no longer see the case); a case note records the move.
    Who: a holder of oralman.transfer_family who may change the family (its region's caseworker,
    an administrator)."""
    authz.authorize_actor(actor, "oralman.transfer_family", family)
    authz.authorize_actor(actor, authz.CHANGE, family)
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the transfer."), field="reason")
    family = Family.objects.select_for_update().select_related("region").get(pk=family.pk)
    if family.region_id == region.pk:
        raise DomainError(_("The family is already in this region."), field="region")
    old_region = family.region
    member_ids = list(family.members.filter(left_on__isnull=True).values_list("person_id", flat=True))
    with acting(actor, action="transfer", reason=reason.strip()):
        family.region = region
        family.assigned_caseworker = None
        family.save(update_fields=["region", "assigned_caseworker"])
        for person in Person.objects.select_for_update().filter(pk__in=member_ids):
            person.region = region
            person.save(update_fields=["region", "updated_at"])
        for application in StatusApplication.objects.select_for_update().filter(
            state__in=OPEN_STATES_FOR_TRANSFER, applicant_id__in=member_ids
        ):
            application.region = region
            application.save(update_fields=["region", "updated_at"])
        CaseNote.objects.create(
            family=family,
            author=actor,
            text=_("Transferred from %(old)s to %(new)s: %(reason)s")
            % {"old": old_region, "new": region, "reason": reason.strip()},
        )
    return family


@transaction.atomic
def case_note_add(*, family: Family, text: str, actor, person: Person | None = None) -> CaseNote:
    """A note on the family's case (anyone who may change the family)."""
    authz.authorize_actor(actor, authz.CHANGE, family)
    if not (text or "").strip():
        raise DomainError(_("The note is empty."), field="text")
    if person is not None and not family.members.filter(person=person).exists():
        raise DomainError(_("%(person)s is not a member of this family.") % {"person": person}, field="person")
    with acting(actor):
        return CaseNote.objects.create(family=family, person=person, text=text.strip(), author=actor)


@dataclass
class FamilyFiling:
    application: StatusApplication | None
    listed: list[Person] = field(default_factory=list)
    skipped: list[tuple[Person, str]] = field(default_factory=list)


@transaction.atomic
def family_file_status_application(*, family: Family, actor, channel: str = "psc") -> FamilyFiling:
    """One status application for the family: the head applies (application_create) and every
    other current member who may be listed is listed (application_list_member); a member the law
    excludes (another nationality, a citizen, a status holder, on another open application) is
    skipped with the reason.
    A head who cannot apply stops the filing (the family application is the head's)."""
    authz.authorize_actor(actor, authz.CHANGE, family)
    members = list(
        family.members.filter(left_on__isnull=True).select_related("person").order_by("relationship", "person_id")
    )
    application = application_create(
        applicant=family.head, region=family.region, actor=actor, family=family, channel=channel
    )
    filing = FamilyFiling(application=application, listed=[family.head])
    for member in members:
        if member.person_id == family.head_id:
            continue
        if not member.person.is_kazakh_nationality:
            filing.skipped.append(
                (member.person, _("another nationality: stays on the family's file but gets no status"))
            )
            continue
        try:
            with transaction.atomic():
                application_list_member(application=application, person=member.person, actor=actor)
        except DomainError as exc:
            filing.skipped.append((member.person, str(exc.message)))
        else:
            filing.listed.append(member.person)
    return filing
