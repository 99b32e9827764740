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
from django.utils import timezone
from django.utils.translation import gettext as _

from citizenship.models import (
    OPEN_STATES,
    ApplicationDocument,
    Basis,
    CitizenshipApplication,
    CitizenshipRefusalGround,
    CitizenshipRule,
    CitizenshipTransition,
    RequiredDocument,
    State,
)
from core import authz
from core.audit import acting
from core.errors import DomainError
from core.iin import iin_warnings, parse_iin
from notifications.services import notify
from oralman.models import Document, DocumentType, KandasStatus, Person, TerminationReason
from oralman.services import status_terminate

S = State

# The one table of legal moves. Anything not listed here cannot happen.
LEGAL_TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.UNDER_REVIEW, S.RETURNED, S.WITHDRAWN},
    S.UNDER_REVIEW: {S.RETURNED, S.GRANTED, S.REFUSED, S.WITHDRAWN},
    S.RETURNED: {S.SUBMITTED, S.WITHDRAWN},
    S.GRANTED: set(),
    S.REFUSED: set(),
    S.WITHDRAWN: set(),
}


def legal_next_states(state: str) -> list[str]:
    """The states an application in `state` may move to, in the order of State."""
    return [s for s in S.values if s in LEGAL_TRANSITIONS[state]]


# --- Rules ----------------------------------------------------------------------------------


def citizenship_rule_on(day: datetime.date) -> CitizenshipRule:
    rule = CitizenshipRule.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    if rule is None:
        raise DomainError(
            _("No citizenship rules are in force on %(date)s; an administrator must add them.") % {"date": day}
        )
    return rule


def decision_deadline(submitted_on: datetime.date) -> datetime.date:
    """The last day for the decision: the rule's months after submission (3 by default)."""
    return submitted_on + relativedelta(months=citizenship_rule_on(submitted_on).decision_months)


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
    if (
        basis == Basis.ORALMAN
        and not KandasStatus.objects.filter(person=person)
        .exclude(termination_reason=TerminationReason.REVOKED)
        .exists()
    ):
        raise DomainError(
            _("The simplified procedure for kandas needs a kandas status; %(person)s has none.") % {"person": person},
            field="basis",
        )
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


def _locked(application: CitizenshipApplication) -> CitizenshipApplication:
    return CitizenshipApplication.objects.select_for_update().select_related("person").get(pk=application.pk)


def _check_move(application: CitizenshipApplication, to_state: str) -> None:
    if to_state not in LEGAL_TRANSITIONS[application.state]:
        raise DomainError(
            _("A citizenship application that is %(from)s cannot become %(to)s.")
            % {"from": S(application.state).label, "to": S(to_state).label},
            field="state",
            code="illegal_transition",
        )


def _move(
    application: CitizenshipApplication, to_state: str, *, actor, reason: str = "", fields: tuple = ()
) -> CitizenshipApplication:
    """Save the new state (already checked) with the changed fields and record the transition."""
    authz.authorize_actor(actor, authz.CHANGE, application)
    _check_move(application, to_state)
    from_state = application.state
    application.state = to_state
    with acting(actor, reason=reason):
        application.save(update_fields=["state", "updated_at", *fields])
        CitizenshipTransition.objects.create(
            application=application, from_state=from_state, to_state=to_state, actor=actor, reason=reason
        )
    return application


@transaction.atomic
def application_start_review(*, application: CitizenshipApplication, actor) -> CitizenshipApplication:
    return _move(_locked(application), S.UNDER_REVIEW, actor=actor)


@transaction.atomic
def application_return(*, application: CitizenshipApplication, actor, reason: str) -> CitizenshipApplication:
    """Return the file to the applicant for missing documents; the applicant is told which."""
    if not (reason or "").strip():
        raise DomainError(_("Say which documents are missing."), field="reason")
    application = _move(_locked(application), S.RETURNED, actor=actor, reason=reason)
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
    return _move(_locked(application), S.SUBMITTED, actor=actor, reason=reason or _("resubmitted"))


@transaction.atomic
def application_withdraw(*, application: CitizenshipApplication, actor, reason: str = "") -> CitizenshipApplication:
    return _move(_locked(application), S.WITHDRAWN, actor=actor, reason=reason)


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
    _check_move(application, S.REFUSED)
    application.refusal_ground = ground
    application.decision_note = note
    application.decided_on = today or timezone.localdate()
    _move(
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
    decree_number: str,
    decree_date: datetime.date,
    iin: str = "",
    today: datetime.date | None = None,
) -> GrantResult:
    """Grant citizenship by decree, in one transaction: the application becomes granted, the
    person becomes a citizen from the decree date with the assigned IIN, and the person's
    kandas status ends that day with the reason "citizenship acquired". If any step fails
    nothing is changed."""
    today = today or timezone.localdate()
    application = _locked(application)
    _check_move(application, S.GRANTED)
    decree_number = (decree_number or "").strip()
    if not decree_number:
        raise DomainError(_("Enter the number of the decree."), field="decree_number")
    if decree_date is None:
        raise DomainError(_("Enter the date of the decree."), field="decree_date")
    if decree_date > today:
        raise DomainError(_("The decree date cannot be in the future."), field="decree_date")
    if decree_date < application.submitted_on:
        raise DomainError(_("The decree cannot predate the application."), field="decree_date")
    missing = missing_documents(application)
    if missing:
        labels = ", ".join(str(DocumentType(t).label) for t in missing)
        raise DomainError(
            _("The grant needs these verified documents: %(docs)s.") % {"docs": labels},
            field="documents",
            code="documents_missing",
        )
    person = Person.objects.select_for_update().get(pk=application.person_id)
    iin, warnings = _checked_iin(person, iin)

    application.decree_number = decree_number
    application.decree_date = decree_date
    application.iin_assigned = iin
    application.decided_on = today
    _move(application, S.GRANTED, actor=actor, reason=_("Decree No. %(n)s of %(d)s") % {"n": decree_number, "d": decree_date},
          fields=("decree_number", "decree_date", "iin_assigned", "decided_on"))  # fmt: skip

    person.iin = iin
    person.citizen_since = decree_date
    with acting(actor):
        try:
            with transaction.atomic():
                person.save(update_fields=["iin", "citizen_since", "updated_at"])
        except IntegrityError as exc:
            raise DomainError(_("IIN %(iin)s already belongs to another person.") % {"iin": iin}, field="iin") from exc

    terminated = None
    status = KandasStatus.objects.filter(person=person, terminated_on__isnull=True).order_by("-issued_on").first()
    if status is not None:
        terminated = status_terminate(
            status=status,
            actor=actor,
            reason=TerminationReason.CITIZENSHIP,
            on=decree_date,
            note=_("Citizenship granted by decree No. %(n)s of %(d)s") % {"n": decree_number, "d": decree_date},
        )
    notify(
        event="citizenship.granted",
        key=f"citizenship-application-{application.pk}-granted",
        person=person,
        context={
            "application_id": application.pk,
            "decree_number": decree_number,
            "decree_date": decree_date.isoformat(),
        },
    )
    return GrantResult(application=application, terminated_status=terminated, warnings=warnings)
