"""Every change in a center goes through these functions (admin desk, API, tasks and demo alike).

Check-in locks the center row (SELECT ... FOR UPDATE) and counts the beds taken inside that lock,
so simultaneous check-ins into one center are serialised and the center never holds more
occupants than beds. The database refuses overlapping stays of one person regardless.
Rule violations raise DomainError with a translated message; nothing is written then.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from adaptation_centers.models import (
    Attendance,
    Center,
    CenterKind,
    CenterStaff,
    CheckOutReason,
    Course,
    CourseEnrolment,
    CourseSession,
    Outcome,
    Placement,
    PlacementAlert,
    PlacementExtension,
    PlacementOccupant,
    Referral,
    ReferralSource,
    ReferralState,
    ServiceKind,
    ServiceRecord,
)
from core import authz
from core.audit import acting
from core.authz import ADD, CHANGE, VIEW, NotAllowed, authorize, can, scoped
from core.errors import DomainError
from core.roles import Role, role_of
from notifications.services import notify
from oralman.models import Family, FamilyMember, KandasStatus, Person

# How far back a clerk may date an arrival or a departure they forgot to record.
MAX_BACKDATE_DAYS = 30
# The daily job warns this many days before the planned check-out.
CHECKOUT_WARNING_DAYS = 7


def _d(day: datetime.date) -> str:
    """A date as the user reads it (dd.mm.yyyy in Russian and Kazakh)."""
    return date_format(day, "SHORT_DATE_FORMAT")


# --- Who may change a center, and whose names a refusal may show ------------------------------------


def can_manage_center(user, center: Center, *, action: str = CHANGE, model=Placement) -> bool:
    """May `user` do `action` on `model` rows of `center` (core.authz: the role's model permission,
    and the center in the user's scope)? Administrators: every center; center staff: the centers
    they are assigned to; caseworkers and analysts hold no such permission. `user=None` is the
    system itself (tasks, demo loader)."""
    if user is None:
        return True
    if not can(user, action, model):
        return False
    if role_of(user) == Role.CENTER_STAFF:
        return CenterStaff.objects.filter(center_id=center.pk, user_id=user.pk).exists()
    return scoped(user, Center).filter(pk=center.pk).exists()


def _require_manager(actor, center: Center, *, action: str = CHANGE, model=Placement) -> None:
    """core.authz.authorize for the action, then the center itself (NotAllowed: a 403 that names nothing)."""
    if actor is None:
        return
    authorize(actor, action, model)
    if not can_manage_center(actor, center, action=action, model=model):
        raise NotAllowed()


def can_open_desk(user, center: Center) -> bool:
    """The desk lists every resident of a center, so it opens to those who may see them all: the
    center's own staff, administrators and analysts (read-only). Caseworkers are not shown the desk:
    it is the clerk's tool, and their region's families in any center are in the placements list
    (scoped to their region), every center's free beds in the centers list."""
    if not can(user, VIEW, Placement):
        return False
    role = role_of(user)
    if role in (Role.ADMINISTRATOR, Role.MINISTRY_ANALYST):
        return True
    return role == Role.CENTER_STAFF and CenterStaff.objects.filter(center_id=center.pk, user_id=user.pk).exists()


def _visible_person_ids(actor, persons: Iterable[Person]) -> set[int]:
    ids = {p.pk for p in persons}
    if actor is None:
        return ids
    return set(scoped(actor, Person).filter(pk__in=ids).values_list("pk", flat=True))


def _names(actor, persons: Iterable[Person]) -> str:
    """Names for a refusal: the persons the actor may see by name; the others only counted, so a
    refusal never tells a clerk who a stranger is (issue 11)."""
    persons = list(persons)
    visible = _visible_person_ids(actor, persons)
    names = [str(p) for p in persons if p.pk in visible]
    hidden = len(persons) - len(names)
    if hidden:
        names.append(_("persons outside your records: %(n)s") % {"n": hidden})
    return ", ".join(names)


def _center_name(actor, center: Center) -> str:
    """The center's name when the actor sees that center, otherwise "another center"."""
    if actor is None or scoped(actor, Center).filter(pk=center.pk).exists():
        return str(center)
    return _("another center")


def _check_date(day: datetime.date, *, field: str, what: str) -> None:
    today = timezone.localdate()
    if day > today:
        raise DomainError(_("%(what)s cannot be in the future.") % {"what": what}, field=field)
    if day < today - datetime.timedelta(days=MAX_BACKDATE_DAYS):
        raise DomainError(
            _("%(what)s can be recorded at most %(days)s days back.") % {"what": what, "days": MAX_BACKDATE_DAYS},
            field=field,
        )


# --- Beds ------------------------------------------------------------------------------------


def beds_taken(center: Center, *, on_or_after: datetime.date | None = None) -> int:
    """Beds held by stays that are open on `on_or_after` or later (today by default)."""
    day = on_or_after or timezone.localdate()
    taken = Placement.objects.filter(center_id=center.pk).filter(
        Q(checked_out_on__isnull=True) | Q(checked_out_on__gt=day)
    )
    return taken.aggregate(n=Sum("beds"))["n"] or 0


def free_beds(center: Center) -> int:
    return max(center.capacity - beds_taken(center), 0)


def default_check_out(center: Center, check_in_on: datetime.date) -> datetime.date:
    return check_in_on + relativedelta(months=center.max_stay_months)


# --- Who a center takes (DOMAIN.md, "Centers") --------------------------------------------------------


def _is_citizen(person: Person) -> bool:
    return person.citizen_since is not None or (person.citizenship_id is not None and person.citizenship.iso2 == "KZ")


def _valid_status_holders(person_ids: Iterable[int], on: datetime.date) -> set[int]:
    return set(
        KandasStatus.objects.filter(
            person_id__in=list(person_ids), terminated_on__isnull=True, issued_on__lte=on, valid_until__gte=on
        ).values_list("person_id", flat=True)
    )


def center_eligibility_check(
    *, center: Center, persons: Iterable[Person], on: datetime.date, status_holder_reason: str = "", actor=None
) -> None:
    """Who a center may take, by its kind. Source: DOMAIN.md, section "Centers" (the seed: an
    adaptation and integration center serves kandas and their families; a temporary accommodation
    center houses ethnic Kazakhs before they receive the status; rules of the centers: orders of the
    Minister of Labour and Social Protection of 22 July 2013 Nos. 330-Ө-М and 331-Ө-М):

    * a citizen of Kazakhstan is refused in both kinds;
    * an adaptation and integration center takes holders of a valid kandas status on `on`, and the
      current members of a family in which someone holds one (members of another nationality get
      no status of their own but share the family's case);
    * a temporary accommodation center takes persons without a valid status yet; a status holder
      only with a recorded reason (`status_holder_reason`, kept on the referral).

    Checked when a person is referred and again at check-in (a status may expire meanwhile)."""
    persons = list(persons)
    citizens = [p for p in persons if _is_citizen(p)]
    if citizens:
        raise DomainError(
            _("A citizen of Kazakhstan cannot be placed in a center: %(names)s.") % {"names": _names(actor, citizens)},
            field="persons",
            code="citizen",
        )
    holders = _valid_status_holders((p.pk for p in persons), on)
    if center.kind == CenterKind.ADAPTATION:
        families = FamilyMember.objects.filter(person__in=[p.pk for p in persons], left_on__isnull=True)
        family_of = dict(families.values_list("person_id", "family_id"))
        members = FamilyMember.objects.filter(family_id__in=set(family_of.values()), left_on__isnull=True)
        member_ids = dict(members.values_list("person_id", "family_id"))
        families_with_status = {member_ids[pk] for pk in _valid_status_holders(member_ids, on)}
        outside = [p for p in persons if p.pk not in holders and family_of.get(p.pk) not in families_with_status]
        if outside:
            raise DomainError(
                _(
                    "An adaptation and integration center takes holders of a valid kandas status and their "
                    "families; without a valid status: %(names)s."
                )
                % {"names": _names(actor, outside)},
                field="persons",
                code="no_status",
            )
    elif center.kind == CenterKind.TEMPORARY and holders and not (status_holder_reason or "").strip():
        raise DomainError(
            _(
                "A temporary accommodation center takes persons who do not hold the kandas status yet; "
                "%(names)s hold a valid status: record the reason in the referral."
            )
            % {"names": _names(actor, [p for p in persons if p.pk in holders])},
            field="status_holder_reason",
            code="status_holder",
        )


# --- Referrals ----------------------------------------------------------------------------------------


def _referred_persons(*, person: Person | None, family: Family | None) -> list[Person]:
    if family is not None:
        return [
            m.person
            for m in family.members.filter(left_on__isnull=True).select_related("person__citizenship").order_by("pk")
        ]
    return [Person.objects.select_related("citizenship").get(pk=person.pk)]


def referral_check(
    *,
    center: Center,
    actor,
    person: Person | None = None,
    family: Family | None = None,
    status_holder_reason: str = "",
    referred_on: datetime.date | None = None,
) -> list[Person]:
    """The rules of a referral (also used by the admin form to show the error next to the field);
    returns the persons referred."""
    if (person is None) == (family is None):
        raise DomainError(_("Refer either a family or a single person."), field="person")
    if actor is not None:
        authorize(actor, ADD, Referral)
        from oralman.selectors import family_list, person_list

        reachable = (
            family_list(user=actor).filter(pk=family.pk) if family else person_list(user=actor).filter(pk=person.pk)
        )
        if not reachable.exists():
            raise NotAllowed()
    if not center.is_open:
        raise DomainError(_("%(center)s is closed and accepts no check-ins.") % {"center": center}, field="center")
    persons = _referred_persons(person=person, family=family)
    if not persons:
        raise DomainError(_("Nobody to check in: the family has no current members."), field="family")
    center_eligibility_check(
        center=center, persons=persons, on=referred_on or timezone.localdate(),
        status_holder_reason=status_holder_reason, actor=actor,
    )  # fmt: skip
    principal = family.head if family is not None else person
    if Referral.objects.filter(person=principal, state=ReferralState.OPEN).exists():
        raise DomainError(_already_referred(actor, principal), field="person", code="already_referred")
    return persons


def referral_check_in_refusal(*, referral: Referral, actor=None, on: datetime.date | None = None) -> str | None:
    """Why a check-in by this open referral would be refused by the center's rules (closed, nobody
    left in the family, `center_eligibility_check` with the referral's recorded reason: the checks
    `placement_check_in` makes of who comes), or None. The desk offers the referral's check-in
    button only when this is None and prints the reason instead."""
    center = referral.center
    if not center.is_open:
        return _("%(center)s is closed and accepts no check-ins.") % {"center": center}
    persons = _referred_persons(person=None if referral.family_id else referral.person, family=referral.family)
    if not persons:
        return _("Nobody to check in: the family has no current members.")
    try:
        center_eligibility_check(
            center=center, persons=persons, on=on or timezone.localdate(),
            status_holder_reason=referral.status_holder_reason, actor=actor,
        )  # fmt: skip
    except DomainError as exc:
        return str(exc.message)
    return None


def _already_referred(actor, person: Person) -> str:
    return _("%(person)s already has an open referral to a center; cancel it first.") % {
        "person": _names(actor, [person])
    }


@transaction.atomic
def referral_create(
    *,
    center: Center,
    actor,
    person: Person | None = None,
    family: Family | None = None,
    note: str = "",
    status_holder_reason: str = "",
    referred_on: datetime.date | None = None,
) -> Referral:
    """Refer a person, or a family (every current member), to a center. The region's caseworker
    refers their own region's persons and families to any open center of the country; the persons
    must be ones the center may take (`center_eligibility_check`). One open referral per person."""
    referred_on = referred_on or timezone.localdate()
    referral_check(
        center=center, actor=actor, person=person, family=family, status_holder_reason=status_holder_reason,
        referred_on=referred_on,
    )  # fmt: skip
    principal = family.head if family is not None else person
    referral = Referral(
        center=center, person=principal, family=family, source=ReferralSource.CASEWORKER, referred_on=referred_on,
        note=note, status_holder_reason=(status_holder_reason or "").strip(), created_by=actor,
    )  # fmt: skip
    with acting(actor):
        try:
            with transaction.atomic():
                referral.save()
        except IntegrityError as exc:  # referred by someone else at the same moment
            raise DomainError(_already_referred(actor, principal), field="person", code="already_referred") from exc
    return referral


@transaction.atomic
def referral_cancel(*, referral: Referral, actor, reason: str) -> Referral:
    """Cancel an open referral (the person will not come); the reason is kept."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if actor is not None:
        authorize(actor, CHANGE, referral)
    if referral.state != ReferralState.OPEN:
        raise DomainError(_("Only an open referral can be cancelled."), code="not_open")
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for cancelling the referral."), field="reason")
    referral.state = ReferralState.CANCELLED
    referral.cancel_reason = reason.strip()
    referral.closed_on = timezone.localdate()
    with acting(actor):
        referral.save(update_fields=["state", "cancel_reason", "closed_on"])
    return referral


# What the clerk records of a person who arrives unannounced (the minimum to identify them).
ARRIVAL_FIELDS = (
    "surname", "given_name", "patronymic", "surname_latin", "given_name_latin", "birth_date", "sex",
    "country_of_origin", "citizenship", "passport_number", "passport_country", "phone",
)  # fmt: skip


@transaction.atomic
def referral_register_arrival(*, center: Center, actor, note: str = "", **person_fields) -> Referral:
    """An ethnic Kazakh arrives at the center unannounced: the clerk records the minimum data (names,
    birth date, sex, origin, citizenship, foreign passport) and the person gets a case file in the
    center's region, with an open referral to this center from the desk; the region's caseworker
    takes the case from there. No IIN is taken here (it is issued with the first certificate), so
    nothing the clerk types can match, or reveal, another person's file."""
    _require_manager(actor, center, action="register_arrival", model=Referral)
    if not center.is_open:
        raise DomainError(_("%(center)s is closed and accepts no check-ins.") % {"center": center}, field="center")
    unknown = set(person_fields) - set(ARRIVAL_FIELDS)
    if unknown:
        raise DomainError(_("Unexpected fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if not (person_fields.get("passport_number") or "").strip():
        raise DomainError(_("Give the foreign passport number."), field="passport_number")
    from core.translit import to_latin
    from oralman.services import person_create

    for field, source in (("surname_latin", "surname"), ("given_name_latin", "given_name")):
        if not person_fields.get(field):
            person_fields[field] = to_latin(person_fields.get(source) or "")
    person_fields["passport_number"] = person_fields["passport_number"].strip().upper()
    # The eligibility rules need the citizenship before the file exists.
    candidate = Person(**person_fields, region=center.region)
    center_eligibility_check(center=center, persons=[candidate], on=timezone.localdate(), actor=None)
    # The clerk was authorized above for "register_arrival" at this center, not for any person file.
    person = person_create(actor=actor, authorized_by_caller=True, region=center.region, **person_fields).person
    referral = Referral(
        center=center, person=person, source=ReferralSource.DESK, referred_on=timezone.localdate(), note=note,
        created_by=actor,
    )  # fmt: skip
    with acting(actor):
        referral.save()
    return referral


# --- Check-in, check-out, extension -----------------------------------------------------------


def _occupants_for(
    *, family: Family | None, person: Person | None, persons: Iterable[Person] | None, actor
) -> list[Person]:
    if family is None and person is None:
        raise DomainError(_("Choose a family or a person to check in."))
    if family is not None:
        members = {
            m.person_id: m.person
            for m in family.members.filter(left_on__isnull=True).select_related("person__citizenship")
        }
        if persons is None:
            return list(members.values())
        chosen = list(persons)
        strangers = [p for p in chosen if p.pk not in members]
        if strangers:
            raise DomainError(
                _("%(names)s are not members of this family.") % {"names": _names(actor, strangers)},
                field="persons",
            )
        return [members[p.pk] for p in chosen]
    return [Person.objects.select_related("citizenship").get(pk=person.pk)]


def _referrals_covering(center: Center, occupants: list[Person]) -> tuple[list[Referral], list[Person]]:
    """The open referrals to `center` that bring these people (locked), and who has none."""
    ids = [p.pk for p in occupants]
    membership = dict(
        FamilyMember.objects.filter(person__in=ids, left_on__isnull=True).values_list("person_id", "family_id")
    )
    referrals = list(
        Referral.objects.select_for_update()
        .filter(center_id=center.pk, state=ReferralState.OPEN)
        .filter(Q(family__isnull=True, person__in=ids) | Q(family__in=set(membership.values())))
        .order_by("pk")
    )
    alone = {r.person_id for r in referrals if r.family_id is None}
    families = {r.family_id for r in referrals if r.family_id is not None}
    uncovered = [p for p in occupants if p.pk not in alone and membership.get(p.pk) not in families]
    return referrals, uncovered


@transaction.atomic
def placement_check_in(
    *,
    center: Center,
    actor,
    family: Family | None = None,
    person: Person | None = None,
    persons: Iterable[Person] | None = None,
    beds: int | None = None,
    check_in_on: datetime.date | None = None,
    planned_check_out_on: datetime.date | None = None,
    note: str = "",
) -> Placement:
    """Check a family (all its current members, or the `persons` chosen among them) or a single
    person into `center`. Everyone checked in must be referred to this center (an open referral of
    the person or of their family: issue 11); the referrals close as placed. Refused when someone is
    not referred, may not stay in a center of this kind (`center_eligibility_check`), the center is
    closed, has fewer free beds than asked, or someone is already staying in a center. The center
    row stays locked until commit, so concurrent check-ins into one center count beds one after
    another. Refusals name only persons the actor may see."""
    _require_manager(actor, center, action=ADD)
    check_in_on = check_in_on or timezone.localdate()
    _check_date(check_in_on, field="check_in_on", what=_("The check-in date"))
    occupants = _occupants_for(family=family, person=person, persons=persons, actor=actor)
    if not occupants:
        raise DomainError(_("Nobody to check in: the family has no current members."), field="persons")
    beds = len(occupants) if beds is None else beds
    if beds < len(occupants):
        raise DomainError(
            _("%(people)s people need at least %(people)s beds (a bed holds one person).") % {"people": len(occupants)},
            field="beds",
        )
    # The lock: every check-in into this center waits here for the previous one to commit.
    center = Center.objects.select_for_update().get(pk=center.pk)
    referrals, unreferred = _referrals_covering(center, occupants)
    if unreferred:
        raise DomainError(
            _(
                "Not referred to this center: %(n)s of the people to check in. The region's caseworker refers "
                "them, or register the arrival at the desk."
            )
            % {"n": len(unreferred)},
            field="persons",
            code="not_referred",
        )
    if not center.is_open:
        raise DomainError(_("%(center)s is closed and accepts no check-ins.") % {"center": center}, field="center")
    reason = next((r.status_holder_reason for r in referrals if r.status_holder_reason), "")
    center_eligibility_check(center=center, persons=occupants, on=check_in_on, status_holder_reason=reason, actor=actor)
    limit = default_check_out(center, check_in_on)
    planned_check_out_on = planned_check_out_on or limit
    if planned_check_out_on < check_in_on:
        raise DomainError(_("The planned check-out cannot be earlier than check-in."), field="planned_check_out_on")
    if planned_check_out_on > limit:
        raise DomainError(
            _(
                "The longest allowed stay in %(center)s is %(months)s months (until %(date)s); extend the stay later with a reason."
            )
            % {"center": center, "months": center.max_stay_months, "date": _d(limit)},
            field="planned_check_out_on",
        )
    free = center.capacity - beds_taken(center, on_or_after=check_in_on)
    if beds > free:
        raise DomainError(
            _("%(center)s has %(free)s free beds; %(beds)s asked.")
            % {"center": center, "free": max(free, 0), "beds": beds},
            field="beds",
            code="no_beds",
        )
    staying = (
        PlacementOccupant.objects.filter(person__in=[p.pk for p in occupants])
        .filter(Q(checked_out_on__isnull=True) | Q(checked_out_on__gt=check_in_on))
        .select_related("person", "placement__center")
        .first()
    )
    if staying is not None:
        raise DomainError(
            _("%(person)s is already staying in %(center)s (since %(date)s); check them out first.")
            % {
                "person": _names(actor, [staying.person]),
                "center": _center_name(actor, staying.placement.center),
                "date": _d(staying.check_in_on),
            },
            field="persons",
            code="already_placed",
        )
    placement = Placement(
        center=center,
        family=family,
        person=family.head if family is not None else person,
        beds=beds,
        check_in_on=check_in_on,
        planned_check_out_on=planned_check_out_on,
        note=note,
        created_by=actor,
    )
    with acting(actor):
        try:
            with transaction.atomic():
                placement.save()
                PlacementOccupant.objects.bulk_create(
                    PlacementOccupant(placement=placement, person=p, check_in_on=check_in_on) for p in occupants
                )
                Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(
                    state=ReferralState.PLACED, placement=placement, closed_on=check_in_on
                )
        except IntegrityError as exc:
            # Another center checked one of them in at the same moment: the database said no.
            raise DomainError(
                _("One of these people is already staying in a center; nothing was saved."),
                field="persons",
                code="already_placed",
            ) from exc
    return placement


@transaction.atomic
def placement_check_in_by_identifier(
    *, center: Center, actor, identifier: str, whole_family: bool = True, **options
) -> Placement:
    """The desk's and the API's check-in: the arriving person found by IIN or passport number among
    those referred to `center` (selectors.person_find_for_check_in); with `whole_family` and a
    family referral, the family's current members come together. "Nobody found" is the same answer
    for a number unknown in the country and for a person not referred here."""
    _require_manager(actor, center, action=ADD)
    from adaptation_centers.selectors import person_find_for_check_in, referral_covering

    found = person_find_for_check_in(center=center, identifier=identifier)
    if len(found) != 1:
        raise DomainError(
            _("Nobody with this IIN or passport number is referred to this center.")
            if not found
            else _("Several persons match; use the IIN."),
            field="identifier",
            code="not_found",
        )
    person = found[0]
    referral = referral_covering(center=center, person=person)
    family = referral.family if referral is not None and whole_family else None
    return placement_check_in(center=center, actor=actor, family=family, person=None if family else person, **options)


@transaction.atomic
def placement_check_in_by_referral(*, referral: Referral, actor, **options) -> Placement:
    """Check in whoever an open referral brings (the family's current members, or the person)."""
    referral = Referral.objects.select_related("center", "family__head", "person").get(pk=referral.pk)
    _require_manager(actor, referral.center, action=ADD)
    if referral.state != ReferralState.OPEN:
        raise DomainError(_("This referral is no longer open."), code="not_open")
    return placement_check_in(
        center=referral.center, actor=actor, family=referral.family,
        person=None if referral.family_id else referral.person, **options,
    )  # fmt: skip


@transaction.atomic
def placement_check_out(
    *,
    placement: Placement,
    actor,
    reason: str,
    checked_out_on: datetime.date | None = None,
    note: str = "",
) -> Placement:
    """Close a stay: the placement and all its occupants who are still there leave on `checked_out_on`."""
    placement = Placement.objects.select_for_update().select_related("center").get(pk=placement.pk)
    _require_manager(actor, placement.center)
    authz.authorize_actor(actor, authz.CHANGE, placement)
    if placement.checked_out_on is not None:
        raise DomainError(_("This stay already ended on %(date)s.") % {"date": _d(placement.checked_out_on)})
    checked_out_on = checked_out_on or timezone.localdate()
    if checked_out_on < placement.check_in_on:
        raise DomainError(
            _("Check-out (%(out)s) cannot be earlier than check-in (%(in)s).")
            % {"out": _d(checked_out_on), "in": _d(placement.check_in_on)},
            field="checked_out_on",
        )
    _check_date(checked_out_on, field="checked_out_on", what=_("The check-out date"))
    if reason not in CheckOutReason.values:
        raise DomainError(_("Choose the reason for the check-out."), field="reason")
    placement.checked_out_on = checked_out_on
    placement.check_out_reason = reason
    placement.check_out_note = note
    placement.checked_out_at = timezone.now()
    with acting(actor):
        placement.save(update_fields=["checked_out_on", "check_out_reason", "check_out_note", "checked_out_at"])
        PlacementOccupant.objects.filter(placement=placement, checked_out_on__isnull=True).update(
            checked_out_on=checked_out_on
        )
    return placement


def check_out_undo_until(placement: Placement) -> datetime.datetime | None:
    """Until when the check-out of `placement` may be undone (None: not checked out at the desk, or
    recorded before the undo existed)."""
    if placement.checked_out_on is None or placement.checked_out_at is None:
        return None
    return placement.checked_out_at + datetime.timedelta(minutes=settings.KANDAS_CHECKOUT_UNDO_MINUTES)


@transaction.atomic
def placement_check_out_undo(*, placement: Placement, actor) -> Placement:
    """Take back a check-out made by mistake, within KANDAS_CHECKOUT_UNDO_MINUTES of recording it:
    the stay is open again and the occupants who left with it are back. Refused when the window
    has passed, when the center has meanwhile given the beds to others (the center row is locked
    as in check-in, so the count is exact) or when one of the occupants is staying elsewhere now.
    The audit trail keeps the check-out and its undo (context `undo="check_out"`)."""
    placement = Placement.objects.select_for_update().select_related("center").get(pk=placement.pk)
    _require_manager(actor, placement.center)
    authz.authorize_actor(actor, authz.CHANGE, placement)
    until = check_out_undo_until(placement)
    if placement.checked_out_on is None:
        raise DomainError(_("This stay is not checked out."), code="not_checked_out")
    if until is None or timezone.now() > until:
        raise DomainError(
            _("A check-out can be undone only within %(minutes)s minutes; extend or check in again instead.")
            % {"minutes": settings.KANDAS_CHECKOUT_UNDO_MINUTES},
            code="undo_expired",
        )
    center = Center.objects.select_for_update().get(pk=placement.center_id)
    free = center.capacity - beds_taken(center, on_or_after=placement.checked_out_on)
    if placement.beds > free:
        raise DomainError(
            _("%(center)s has %(free)s free beds now and this stay needs %(beds)s; the check-out stays.")
            % {"center": center, "free": max(free, 0), "beds": placement.beds},
            code="no_beds",
        )
    left_with_it = PlacementOccupant.objects.filter(placement=placement, checked_out_on=placement.checked_out_on)
    with acting(actor, undo="check_out"):
        try:
            with transaction.atomic():
                left_with_it.update(checked_out_on=None)
                placement.checked_out_on = None
                placement.check_out_reason = ""
                placement.check_out_note = ""
                placement.checked_out_at = None
                placement.save(update_fields=["checked_out_on", "check_out_reason", "check_out_note", "checked_out_at"])
        except IntegrityError as exc:
            raise DomainError(
                _("One of these people is staying in a center again; the check-out stays."), code="already_placed"
            ) from exc
    return placement


@transaction.atomic
def occupant_check_out(*, occupant: PlacementOccupant, actor, checked_out_on: datetime.date | None = None):
    """One member leaves early (the family stays); the beds stay with the placement."""
    occupant = PlacementOccupant.objects.select_for_update().select_related("placement__center").get(pk=occupant.pk)
    _require_manager(actor, occupant.placement.center)
    authz.authorize_actor(actor, "adaptation_centers.change_placement", occupant.placement)
    if occupant.checked_out_on is not None:
        raise DomainError(_("%(person)s already left.") % {"person": occupant.person})
    checked_out_on = checked_out_on or timezone.localdate()
    if checked_out_on < occupant.check_in_on:
        raise DomainError(_("Check-out cannot be earlier than check-in."), field="checked_out_on")
    _check_date(checked_out_on, field="checked_out_on", what=_("The check-out date"))
    occupant.checked_out_on = checked_out_on
    with acting(actor):
        occupant.save(update_fields=["checked_out_on"])
    return occupant


@transaction.atomic
def placement_extend(*, placement: Placement, until: datetime.date, reason: str, actor) -> Placement:
    """Move the planned check-out later; a stay longer than allowed always records its reason."""
    placement = Placement.objects.select_for_update().select_related("center").get(pk=placement.pk)
    _require_manager(actor, placement.center)
    authz.authorize_actor(actor, authz.CHANGE, placement)
    if placement.checked_out_on is not None:
        raise DomainError(_("This stay already ended; it cannot be extended."))
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the extension."), field="reason")
    if until <= placement.planned_check_out_on:
        raise DomainError(
            _("The new check-out date must be later than %(date)s.") % {"date": _d(placement.planned_check_out_on)},
            field="until",
        )
    with acting(actor):
        PlacementExtension.objects.create(
            placement=placement,
            previous_check_out_on=placement.planned_check_out_on,
            new_check_out_on=until,
            reason=reason.strip(),
            actor=actor,
        )
        placement.planned_check_out_on = until
        placement.save(update_fields=["planned_check_out_on"])
    return placement


# --- Services ----------------------------------------------------------------------------------


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except ArithmeticError:
        hours = Decimal(0)
    if not (Decimal(0) < hours <= Decimal(24)):
        raise DomainError(_("Hours must be more than 0 and at most 24."), field="hours")
    return hours


def service_record_check(
    *,
    center: Center,
    kind: ServiceKind,
    persons: list[Person],
    given_on: datetime.date,
    hours,
    outcome: str = Outcome.GIVEN,
    language_level: str = "",
    actor=None,
) -> Decimal:
    """The rules of a service record (also used by forms to show the error next to the field);
    returns the hours as a Decimal. Persons not staying there are named only if `actor` may see them."""
    if not persons:
        raise DomainError(_("Choose at least one person."), field="persons")
    _check_date(given_on, field="given_on", what=_("The date of the service"))
    hours = _hours(hours)
    if not kind.active:
        raise DomainError(_("This kind of service is no longer in use."), field="kind")
    if outcome not in Outcome.values:
        raise DomainError(_("Choose the outcome."), field="outcome")
    if outcome == Outcome.LANGUAGE_LEVEL and not language_level:
        raise DomainError(_("Give the language level reached."), field="language_level")
    present = set(
        PlacementOccupant.objects.filter(
            placement__center_id=center.pk, person__in=[p.pk for p in persons], check_in_on__lte=given_on
        )
        .filter(Q(checked_out_on__isnull=True) | Q(checked_out_on__gte=given_on))
        .values_list("person_id", flat=True)
    )
    missing = [p for p in persons if p.pk not in present]
    if missing:
        raise DomainError(
            _("Not staying in %(center)s on %(date)s: %(names)s. Nothing was logged.")
            % {"center": center, "date": _d(given_on), "names": _names(actor, missing)},
            field="persons",
            code="not_placed",
        )
    return hours


@transaction.atomic
def service_record_log(
    *,
    center: Center,
    kind: ServiceKind,
    persons: Iterable[Person],
    actor,
    given_on: datetime.date | None = None,
    hours=1,
    given_by=None,
    outcome: str = Outcome.GIVEN,
    language_level: str = "",
    note: str = "",
    session: CourseSession | None = None,
) -> list[ServiceRecord]:
    """Log one service for one person or a whole group (a class) at once. Every person must be
    staying in `center` on that day; if anyone is not, nothing is logged."""
    persons = list({p.pk: p for p in persons}.values())
    _require_manager(actor, center, action=ADD, model=ServiceRecord)
    given_on = given_on or timezone.localdate()
    hours = service_record_check(
        center=center, kind=kind, persons=persons, given_on=given_on, hours=hours, outcome=outcome,
        language_level=language_level, actor=actor,
    )  # fmt: skip
    batch = uuid.uuid4() if len(persons) > 1 else None
    records = [
        ServiceRecord(
            center=center,
            person=p,
            kind=kind,
            given_on=given_on,
            hours=hours,
            given_by=given_by or actor,
            outcome=outcome,
            language_level=language_level,
            note=note,
            session=session,
            batch=batch,
            created_by=actor,
        )
        for p in persons
    ]
    with acting(actor):
        return ServiceRecord.objects.bulk_create(records)


@transaction.atomic
def course_enrol(*, course: Course, persons: Iterable[Person], actor) -> list[CourseEnrolment]:
    _require_manager(actor, course.center, action=ADD, model=CourseEnrolment)
    persons = list(persons)
    today = timezone.localdate()
    present = set(
        PlacementOccupant.objects.filter(
            placement__center_id=course.center_id, person__in=[p.pk for p in persons], checked_out_on__isnull=True
        ).values_list("person_id", flat=True)
    )
    missing = [p for p in persons if p.pk not in present]
    if missing:
        raise DomainError(
            _("Not staying in %(center)s: %(names)s.") % {"center": course.center, "names": _names(actor, missing)},
            field="persons",
        )
    with acting(actor):
        return CourseEnrolment.objects.bulk_create(
            [CourseEnrolment(course=course, person=p, enrolled_on=today) for p in persons], ignore_conflicts=True
        )


@transaction.atomic
def course_session_record(
    *, course: Course, held_on: datetime.date, present: Iterable[Person], actor, hours=None, topic: str = ""
) -> CourseSession:
    """A class was held: attendance for everyone enrolled, one service record per person present."""
    course = Course.objects.select_for_update().select_related("center", "kind").get(pk=course.pk)
    _require_manager(actor, course.center, action=ADD, model=CourseSession)
    if not (course.starts_on <= held_on <= course.ends_on):
        raise DomainError(
            _("The course runs from %(start)s to %(end)s.")
            % {"start": _d(course.starts_on), "end": _d(course.ends_on)},
            field="held_on",
        )
    if CourseSession.objects.filter(course=course, held_on=held_on).exists():
        raise DomainError(_("Attendance for %(date)s is already recorded.") % {"date": _d(held_on)}, field="held_on")
    present_ids = {p.pk for p in present}
    enrolments = list(course.enrolments.select_related("person"))
    strangers = present_ids - {e.person_id for e in enrolments}
    if strangers:
        raise DomainError(_("Only enrolled people can be marked present."), field="present")
    hours = _hours(hours if hours is not None else course.hours_per_session)
    with acting(actor):
        session = CourseSession.objects.create(course=course, held_on=held_on, hours=hours, topic=topic)
        Attendance.objects.bulk_create(
            Attendance(session=session, enrolment=e, present=e.person_id in present_ids) for e in enrolments
        )
        attendees = [e.person for e in enrolments if e.person_id in present_ids]
        if attendees:
            service_record_log(
                center=course.center,
                kind=course.kind,
                persons=attendees,
                actor=actor,
                given_on=held_on,
                hours=hours,
                given_by=course.teacher,
                outcome=Outcome.IN_PROGRESS,
                session=session,
            )
    return session


# --- The daily job --------------------------------------------------------------------------------


@dataclass
class FlagResult:
    approaching: int = 0
    overstays: int = 0


def _context(placement: Placement, recipient) -> dict:
    """What the notice templates use (docs/notifications.md), the center named in the recipient's language."""
    language = getattr(recipient, "preferred_language", "") or "ru"
    return {
        "placement_id": placement.pk,
        "center": getattr(placement.center, f"name_{language}", "") or placement.center.name_ru,
        "center_id": placement.center_id,
        "person": placement.person.full_name,
        "check_in_on": placement.check_in_on.isoformat(),
        "planned_check_out_on": placement.planned_check_out_on.isoformat(),
    }


@transaction.atomic
def placement_flag_checkouts(*, today: datetime.date | None = None) -> FlagResult:
    """Flag open stays whose planned check-out is within 7 days (notice to the family head or the
    person) or already past (notice to each of the center's staff). One flag and one notice per
    placement and planned date: running the job again the same day, or the next day, adds nothing;
    an extension moves the date and so warns again."""
    today = today or timezone.localdate()
    result = FlagResult()
    open_stays = (
        Placement.objects.filter(checked_out_on__isnull=True, planned_check_out_on__lte=today + datetime.timedelta(days=CHECKOUT_WARNING_DAYS))
        .select_related("center", "person")
        .prefetch_related("center__staff__user")
        .order_by("pk")
    )  # fmt: skip
    for placement in open_stays:
        if placement.planned_check_out_on >= today:
            kind = PlacementAlert.Kind.CHECKOUT_APPROACHING
        else:
            kind = PlacementAlert.Kind.OVERSTAY
        _alert, created = PlacementAlert.objects.get_or_create(
            placement=placement, kind=kind, due_on=placement.planned_check_out_on, defaults={"raised_on": today}
        )
        if not created:
            continue
        key = f"placement-{placement.pk}-{kind}-{placement.planned_check_out_on.isoformat()}"
        if kind == PlacementAlert.Kind.CHECKOUT_APPROACHING:
            result.approaching += 1
            notify(
                event="center.checkout_approaching",
                key=key,
                person=placement.person,
                context=_context(placement, placement.person),
            )
        else:
            result.overstays += 1
            for assignment in placement.center.staff.all():
                notify(
                    event="center.overstay",
                    key=f"{key}-user-{assignment.user_id}",
                    user=assignment.user,
                    context=_context(placement, assignment.user),
                )
    return result


def center_staff_assign(*, center: Center, user, actor) -> CenterStaff:
    """Tie a center_staff user to a center (administrators only)."""
    if actor is not None and role_of(actor) != Role.ADMINISTRATOR:
        raise DomainError(_("Only administrators assign staff to centers."), code="forbidden")
    if role_of(user) != Role.CENTER_STAFF:
        raise DomainError(_("%(user)s does not have the center staff role.") % {"user": user}, field="user")
    with acting(actor):
        assignment, _created = CenterStaff.objects.get_or_create(center=center, user=user)
    return assignment
