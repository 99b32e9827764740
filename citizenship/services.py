"""Every change to a citizenship application goes through these functions (admin, API, tasks).

Each one checks the rule against LEGAL_TRANSITIONS, locks what it changes, writes with
update_fields, records the transition (and the pghistory audit event with the acting user), and
queues the notification in the same transaction. Rule violations raise DomainError.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizenship.models import (
    ADULT_AGE,
    CHILD_CONSENT_FROM_AGE,
    OPEN_STATES,
    ApplicationDocument,
    Basis,
    CitizenshipApplication,
    CitizenshipRefusalGround,
    CitizenshipRule,
    CitizenshipTransition,
    FollowingChild,
    RequiredDocument,
    State,
)
from core import authz
from core.audit import acting
from core.errors import DomainError
from core.iin import iin_warnings, parse_iin
from core.models import Country
from core.transitions import Moves, StateMachine
from core.workdays import is_working_day
from notifications.services import notify
from oralman.models import (
    Document,
    DocumentType,
    FamilyMember,
    KandasStatus,
    Person,
    Relationship,
    TerminationReason,
)
from oralman.services import status_terminate

S = State

# The one table of legal moves. Anything not listed here cannot happen.
LEGAL_TRANSITIONS: Moves = {
    S.SUBMITTED: {S.UNDER_REVIEW, S.RETURNED, S.WITHDRAWN},
    S.UNDER_REVIEW: {S.RETURNED, S.GRANTED, S.REFUSED, S.WITHDRAWN},
    S.RETURNED: {S.SUBMITTED, S.WITHDRAWN},
    S.GRANTED: set(),
    S.REFUSED: set(),
    S.WITHDRAWN: set(),
}


def _locked(application: CitizenshipApplication) -> CitizenshipApplication:
    return CitizenshipApplication.objects.select_for_update().select_related("person").get(pk=application.pk)


# The pattern every state machine follows (core.transitions): check the move against
# LEGAL_TRANSITIONS, lock, save the changed fields, record the transition.
MACHINE = StateMachine(
    moves=LEGAL_TRANSITIONS,
    states=S,
    refusal=gettext_lazy("A citizenship application that is %(from)s cannot become %(to)s."),
    lock=_locked,
    journal=CitizenshipTransition,
)


def legal_next_states(state: str) -> list[str]:
    """The states an application in `state` may move to, in the order of State."""
    return MACHINE.next_states(state)


# --- Rules ----------------------------------------------------------------------------------


def citizenship_rule_on(day: datetime.date) -> CitizenshipRule:
    rule = CitizenshipRule.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    if rule is None:
        raise DomainError(
            _("No citizenship rules are in force on %(date)s; an administrator must add them.") % {"date": day}
        )
    return rule


def decision_deadline(submitted_on: datetime.date) -> datetime.date:
    """The last day for the decision: the rule's months after submission (3 by default, DOMAIN.md
    "Citizenship": "a due date on a non-working day moves to the next working day"); working days
    are core.workdays' (Kazakhstan's public holidays and days off transferred by decree)."""
    due = submitted_on + relativedelta(months=citizenship_rule_on(submitted_on).decision_months)
    while not is_working_day(due):
        due += datetime.timedelta(days=1)
    return due


def required_doc_types(basis: str) -> list[str]:
    return list(
        RequiredDocument.objects.filter(basis=basis, active=True)
        .order_by("doc_type")
        .values_list("doc_type", flat=True)
    )


def missing_documents(application: CitizenshipApplication) -> list[str]:
    """Required document types of the basis that are not filed with the application and verified."""
    filed = set(
        ApplicationDocument.objects.filter(application=application, document__verified_at__isnull=False).values_list(
            "document__doc_type", flat=True
        )
    )
    return [t for t in required_doc_types(application.basis) if t not in filed]


# --- Creating an application and filing documents -------------------------------------------


def _check_valid_status(person: Person, day: datetime.date) -> KandasStatus:
    """The simplified procedure for kandas needs a kandas status valid on the day of submission
    (Law "On Citizenship" art. 30 p. 4 with Law "On Migration of Population" art. 1; DOMAIN.md
    "Citizenship": a currently valid status, extended if need be to finish citizenship). An
    expired status, one ended (departure, revocation, death...) or one not yet in force is refused."""
    statuses = KandasStatus.objects.filter(person=person, issued_on__lte=day).order_by("-issued_on", "-pk")
    valid = statuses.filter(Q(terminated_on__isnull=True) | Q(terminated_on__gt=day), valid_until__gte=day).first()
    if valid is not None:
        return valid
    latest = statuses.first()
    if latest is None:
        raise DomainError(
            _("The simplified procedure for kandas needs a kandas status valid on the day of submission; "
              "%(person)s has none.") % {"person": person},
            field="basis", code="no_valid_status",
        )  # fmt: skip
    if latest.terminated_on and latest.terminated_on <= day and latest.termination_reason != TerminationReason.EXPIRY:
        raise DomainError(
            _("The kandas status of %(person)s ended on %(date)s (%(reason)s); the simplified procedure needs a "
              "status valid on the day of submission.")
            % {"person": person, "date": latest.terminated_on,
               "reason": TerminationReason(latest.termination_reason).label},
            field="basis", code="status_ended",
        )  # fmt: skip
    raise DomainError(
        _("The kandas status of %(person)s expired on %(date)s; extend it before applying (the simplified procedure "
          "needs a status valid on the day of submission).") % {"person": person, "date": latest.valid_until},
        field="basis", code="status_expired",
    )  # fmt: skip


@transaction.atomic
def application_submit(
    *,
    person: Person,
    basis: str,
    region,
    actor,
    former_citizenship=None,
    submitted_on: datetime.date | None = None,
) -> CitizenshipApplication:
    """File a new application; the 3-month decision clock starts on the submission day."""
    authz.authorize_actor(actor, authz.ADD, CitizenshipApplication)
    authz.authorize_actor(actor, authz.VIEW, person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    submitted_on = submitted_on or timezone.localdate()
    if basis not in Basis.values:
        raise DomainError(_("Choose the basis of the application."), field="basis")
    if person.citizen_since:
        raise DomainError(
            _("%(person)s has been a citizen of Kazakhstan since %(date)s.")
            % {"person": person, "date": person.citizen_since},
            field="person",
        )
    if submitted_on > timezone.localdate():
        raise DomainError(_("An application cannot be submitted in the future."), field="submitted_on")
    if basis == Basis.ORALMAN:
        _check_valid_status(person, submitted_on)
    if CitizenshipApplication.objects.filter(person=person, state__in=OPEN_STATES).exists():
        raise DomainError(_("This person already has an open citizenship application."), field="person")
    application = CitizenshipApplication(
        person=person,
        basis=basis,
        region=region,
        former_citizenship=former_citizenship if former_citizenship is not None else person.citizenship,
        submitted_on=submitted_on,
        decision_due=decision_deadline(submitted_on),
        created_by=actor,
    )
    with acting(actor):
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError as exc:
            raise DomainError(_("This person already has an open citizenship application."), field="person") from exc
        CitizenshipTransition.objects.create(
            application=application, from_state="", to_state=S.SUBMITTED, actor=actor, reason=_("filed")
        )
    return application


@transaction.atomic
def application_attach_document(
    *, application: CitizenshipApplication, document: Document, actor
) -> ApplicationDocument:
    """File one of the applicant's case documents with an open application."""
    authz.authorize_actor(actor, "citizenship.add_applicationdocument", application)
    application = _locked(application)
    if application.state not in OPEN_STATES:
        raise DomainError(_("Documents can be filed only with an open application."), field="document")
    if document.person_id != application.person_id:
        raise DomainError(_("This document belongs to another person."), field="document")
    with acting(actor):
        link, _created = ApplicationDocument.objects.get_or_create(
            application=application, document=document, defaults={"attached_by": actor}
        )
    return link


# --- Moves ------------------------------------------------------------------------------------


@transaction.atomic
def application_start_review(*, application: CitizenshipApplication, actor) -> CitizenshipApplication:
    return MACHINE.move(application, S.UNDER_REVIEW, actor=actor, lock=True)


@transaction.atomic
def application_return(*, application: CitizenshipApplication, actor, reason: str) -> CitizenshipApplication:
    """Return the file to the applicant for missing documents; the applicant is told which."""
    if not (reason or "").strip():
        raise DomainError(_("Say which documents are missing."), field="reason")
    application = MACHINE.move(application, S.RETURNED, actor=actor, reason=reason, lock=True)
    notify(
        event="citizenship.documents_requested",
        key=f"citizenship-application-{application.pk}-returned-{application.transitions.count()}",
        person=application.person,
        context={"application_id": application.pk, "reason": reason},
    )
    return application


@transaction.atomic
def application_resubmit(*, application: CitizenshipApplication, actor, reason: str = "") -> CitizenshipApplication:
    """The applicant brings the missing documents. The deadline keeps counting from the first
    submission (the law counts three months from the application; a policy choice, documented)."""
    return MACHINE.move(application, S.SUBMITTED, actor=actor, reason=reason or _("resubmitted"), lock=True)


@transaction.atomic
def application_withdraw(*, application: CitizenshipApplication, actor, reason: str = "") -> CitizenshipApplication:
    return MACHINE.move(application, S.WITHDRAWN, actor=actor, reason=reason, lock=True)


@transaction.atomic
def application_refuse(
    *,
    application: CitizenshipApplication,
    actor,
    ground: CitizenshipRefusalGround | None,
    note: str = "",
    today: datetime.date | None = None,
) -> CitizenshipApplication:
    """Refuse citizenship on a recorded ground; the person may apply again."""
    if ground is None:
        raise DomainError(_("A refusal must record its ground."), field="refusal_ground")
    if not ground.active:
        raise DomainError(_("This refusal ground is no longer in use."), field="refusal_ground")
    application = _locked(application)
    MACHINE.check(application, S.REFUSED)
    application.refusal_ground = ground
    application.decision_note = note
    application.decided_on = today or timezone.localdate()
    MACHINE.move(
        application, S.REFUSED, actor=actor, reason=note or ground.code,
        fields=("refusal_ground", "decision_note", "decided_on"),
    )  # fmt: skip
    notify(
        event="citizenship.refused",
        key=f"citizenship-application-{application.pk}-refused",
        person=application.person,
        context={"application_id": application.pk, "ground": ground.code},
    )
    return application


@dataclass
class GrantResult:
    application: CitizenshipApplication
    terminated_status: KandasStatus | None = None
    warnings: list[str] = field(default_factory=list)
    children: list[FollowingChild] = field(default_factory=list)


# --- Minor children follow their parents --------------------------------------------------------


def minor_children(application: CitizenshipApplication, on: datetime.date) -> list[Person]:
    """The applicant's minor children on the family file on `on`, not yet citizens.

    The applicant must be the head of the family or the spouse; the children are the members
    recorded as "child" (the family file records relationships to the head)."""
    membership = (
        FamilyMember.objects.filter(person_id=application.person_id, left_on__isnull=True)
        .select_related("family")
        .first()
    )
    if membership is None or membership.relationship not in (Relationship.HEAD, Relationship.SPOUSE):
        return []
    children = (
        Person.objects.filter(
            memberships__family_id=membership.family_id, memberships__left_on__isnull=True,
            memberships__relationship=Relationship.CHILD, citizen_since__isnull=True,
        )
        .exclude(pk=application.person_id)
        .order_by("birth_date", "pk")
    )  # fmt: skip
    return [c for c in children if c.age_on(on) < ADULT_AGE]


def children_needing_consent(application: CitizenshipApplication, on: datetime.date | None = None) -> list[Person]:
    """Minor children aged 14 to 18 on `on` (today): they follow only with their written consent."""
    on = on or timezone.localdate()
    return [c for c in minor_children(application, on) if c.age_on(on) >= CHILD_CONSENT_FROM_AGE]


@transaction.atomic
def application_record_child_consent(
    *,
    application: CitizenshipApplication,
    child: Person,
    consent_on: datetime.date,
    actor,
    document: Document | None = None,
) -> FollowingChild:
    """Record the written consent of a child aged 14 to 18 to follow the parent into citizenship
    (Law "On Citizenship of the Republic of Kazakhstan", the citizenship of children when the
    parents' changes: a child of 14 to 18 follows only with written consent; DOMAIN.md "Citizenship")."""
    authz.authorize_actor(actor, authz.CHANGE, application)
    authz.authorize_actor(actor, authz.VIEW, child)
    application = _locked(application)
    if application.state not in OPEN_STATES:
        raise DomainError(_("A child's consent can be recorded only on an open application."), field="child")
    today = timezone.localdate()
    if consent_on is None or consent_on > today:
        raise DomainError(_("Enter the date of the written consent (not in the future)."), field="consent_on")
    if child.pk not in {c.pk for c in minor_children(application, today)}:
        raise DomainError(
            _("%(child)s is not a minor child of the applicant on the family file.") % {"child": child},
            field="child", code="not_a_minor_child",
        )  # fmt: skip
    if child.age_on(today) < CHILD_CONSENT_FROM_AGE:
        raise DomainError(
            _("%(child)s is under %(age)s and follows the parent without a consent.")
            % {"child": child, "age": CHILD_CONSENT_FROM_AGE},
            field="child", code="consent_not_needed",
        )  # fmt: skip
    if document is not None and document.person_id != child.pk:
        raise DomainError(_("The consent document must be the child's own document."), field="document")
    with acting(actor, reason=_("written consent of a child")):
        row, _created = FollowingChild.objects.update_or_create(
            application=application, child=child, defaults={"consent_on": consent_on, "consent_document": document}
        )
    return row


def _kazakhstan() -> Country:
    country = Country.objects.filter(iso2="KZ").first()
    if country is None:
        raise DomainError(_("The country Kazakhstan (KZ) is missing from the reference data."))
    return country


def _make_citizen(person: Person, *, on: datetime.date, kazakhstan: Country, actor, iin: str | None = None) -> None:
    """The person becomes a citizen of Kazakhstan on `on`; the foreign citizenship is kept as the
    former one (no dual citizenship, Law "On Citizenship" art. 3)."""
    if person.citizenship_id != kazakhstan.pk:
        person.former_citizenship_id = person.citizenship_id
    person.citizenship = kazakhstan
    person.citizen_since = on
    fields = ["citizenship", "former_citizenship", "citizen_since", "updated_at"]
    if iin is not None:
        person.iin = iin
        fields.append("iin")
    with acting(actor):
        try:
            with transaction.atomic():
                person.save(update_fields=fields)
        except IntegrityError as exc:
            raise DomainError(_("IIN %(iin)s already belongs to another person.") % {"iin": iin}, field="iin") from exc


def _end_status(person: Person, *, on: datetime.date, actor, note: str) -> KandasStatus | None:
    """The kandas status ends the day citizenship is acquired (DOMAIN.md "The status")."""
    status = KandasStatus.objects.filter(person=person, terminated_on__isnull=True).order_by("-issued_on").first()
    if status is None:
        return None
    return status_terminate(status=status, actor=actor, reason=TerminationReason.CITIZENSHIP, on=on, note=note)


def _children_follow(
    application: CitizenshipApplication, *, on: datetime.date, kazakhstan: Country, actor, note: str
) -> tuple[list[FollowingChild], list[str]]:
    """Minor children follow the parent: under 14 always, 14 to 18 with a recorded consent."""
    followed, warnings = [], []
    consents = {
        row.child_id: row for row in FollowingChild.objects.filter(application=application, consent_on__isnull=False)
    }
    for child in minor_children(application, on):
        age = child.age_on(on)
        if age >= CHILD_CONSENT_FROM_AGE and child.pk not in consents:
            warnings.append(
                _("%(child)s (%(age)s) stays a foreign citizen: no written consent of the child is recorded.")
                % {"child": child, "age": age}
            )
            continue
        if CitizenshipApplication.objects.filter(person=child, state__in=OPEN_STATES).exists():
            warnings.append(
                _("%(child)s has an own open citizenship application; decide it separately.") % {"child": child}
            )
            continue
        child = Person.objects.select_for_update().get(pk=child.pk)
        _make_citizen(child, on=on, kazakhstan=kazakhstan, actor=actor)
        _end_status(child, on=on, actor=actor, note=note)
        row, _created = FollowingChild.objects.update_or_create(
            application=application, child=child, defaults={"followed_on": on}
        )
        followed.append(row)
    return followed, warnings


def _checked_iin(person: Person, iin: str) -> tuple[str, list[str]]:
    """A valid IIN that is not another person's; a birth-date or sex mismatch is only a warning."""
    iin = (iin or person.iin or "").strip()
    if not iin:
        raise DomainError(_("Enter the IIN assigned to the new citizen."), field="iin")
    try:
        parse_iin(iin)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="iin", code="iin_invalid") from exc
    holder = Person.objects.filter(iin=iin).exclude(pk=person.pk).first()
    if holder is not None:
        raise DomainError(
            _("IIN %(iin)s already belongs to another person (case No. %(id)s).") % {"iin": iin, "id": holder.pk},
            field="iin",
            code="iin_taken",
        )
    if person.iin and person.iin != iin:
        raise DomainError(
            _("%(person)s already holds IIN %(own)s; correct the person's record first if it changed.")
            % {"person": person, "own": person.iin},
            field="iin",
            code="iin_differs",
        )
    return iin, iin_warnings(iin, birth_date=person.birth_date, sex=person.sex)


@transaction.atomic
def application_grant(
    *,
    application: CitizenshipApplication,
    actor,
    registering_body: str,
    registration_number: str,
    registration_date: datetime.date,
    iin: str = "",
    today: datetime.date | None = None,
) -> GrantResult:
    """Record the admission to citizenship, in one transaction.

    Kandas (and the other simplified bases) are admitted by **registration** with the internal-
    affairs bodies, not by a Presidential decree (Law "On Citizenship of the Republic of Kazakhstan"
    art. 30 p. 4; public service "Registration of admission to citizenship"): the decision records
    the registering body, its registration number and date. For the general procedure the same
    fields record the decree. Then:
    - the person becomes a citizen of Kazakhstan from the registration date with the assigned IIN,
      and the foreign citizenship is kept as the former one (no dual citizenship, art. 3);
    - the person's kandas status ends that day with the reason "citizenship acquired";
    - minor children on the family file follow (DOMAIN.md): under 14 with the parent, 14 to 18
      with their written consent recorded (`application_record_child_consent`); a child who does
      not follow is named in the warnings.
    If any step fails nothing is changed."""
    today = today or timezone.localdate()
    application = _locked(application)
    MACHINE.check(application, S.GRANTED)
    registering_body = (registering_body or "").strip()
    registration_number = (registration_number or "").strip()
    if not registering_body:
        raise DomainError(_("Enter the body that registered the admission to citizenship."), field="registering_body")
    if not registration_number:
        raise DomainError(_("Enter the registration number of the decision."), field="registration_number")
    if registration_date is None:
        raise DomainError(_("Enter the date of the registration."), field="registration_date")
    if registration_date > today:
        raise DomainError(_("The registration date cannot be in the future."), field="registration_date")
    if registration_date < application.submitted_on:
        raise DomainError(_("The registration cannot predate the application."), field="registration_date")
    missing = missing_documents(application)
    if missing:
        labels = ", ".join(str(DocumentType(t).label) for t in missing)
        raise DomainError(
            _("The grant needs these verified documents: %(docs)s.") % {"docs": labels},
            field="documents",
            code="documents_missing",
        )
    kazakhstan = _kazakhstan()
    person = Person.objects.select_for_update().get(pk=application.person_id)
    iin, warnings = _checked_iin(person, iin)

    application.registering_body = registering_body
    application.registration_number = registration_number
    application.registration_date = registration_date
    application.iin_assigned = iin
    application.decided_on = today
    note = _("Admission to citizenship registered by %(body)s, No. %(n)s of %(d)s") % {
        "body": registering_body, "n": registration_number, "d": date_format(registration_date, "SHORT_DATE_FORMAT"),
    }  # fmt: skip
    MACHINE.move(application, S.GRANTED, actor=actor, reason=note,
          fields=("registering_body", "registration_number", "registration_date", "iin_assigned", "decided_on"))  # fmt: skip

    _make_citizen(person, on=registration_date, kazakhstan=kazakhstan, actor=actor, iin=iin)
    terminated = _end_status(person, on=registration_date, actor=actor, note=note)
    children, child_warnings = _children_follow(
        application, on=registration_date, kazakhstan=kazakhstan, actor=actor, note=note
    )
    notify(
        event="citizenship.granted",
        key=f"citizenship-application-{application.pk}-granted",
        person=person,
        context={
            "application_id": application.pk,
            "registering_body": registering_body,
            "registration_number": registration_number,
            "registration_date": registration_date.isoformat(),
        },
    )
    return GrantResult(
        application=application, terminated_status=terminated, warnings=warnings + child_warnings, children=children
    )
