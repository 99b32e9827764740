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
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from adaptation_centers.models import (
    Attendance,
    Center,
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
    ServiceKind,
    ServiceRecord,
)
from core import authz
from core.audit import acting
from core.errors import DomainError
from core.roles import Role, role_of
from notifications.services import notify
from oralman.models import Family, Person

# How far back a clerk may date an arrival or a departure they forgot to record.
MAX_BACKDATE_DAYS = 30
# The daily job warns this many days before the planned check-out.
CHECKOUT_WARNING_DAYS = 7


def _d(day: datetime.date) -> str:
    """A date as the user reads it (dd.mm.yyyy in Russian and Kazakh)."""
    return date_format(day, "SHORT_DATE_FORMAT")


# --- Who may change a center -----------------------------------------------------------------


def can_manage_center(user, center: Center) -> bool:
    """Administrators manage every center; center staff only the centers they are assigned to.
    `user=None` is the system itself (tasks, demo loader)."""
    if user is None:
        return True
    role = role_of(user)
    if role == Role.ADMINISTRATOR:
        return True
    if role == Role.CENTER_STAFF:
        return CenterStaff.objects.filter(center_id=center.pk, user_id=user.pk).exists()
    return False


def _require_manager(actor, center: Center) -> None:
    if not can_manage_center(actor, center):
        raise DomainError(_("You may not change the records of %(center)s.") % {"center": center}, code="forbidden")


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


# --- Check-in, check-out, extension -----------------------------------------------------------


def _occupants_for(*, family: Family | None, person: Person | None, persons: Iterable[Person] | None) -> list[Person]:
    if family is None and person is None:
        raise DomainError(_("Choose a family or a person to check in."))
    if family is not None:
        members = {m.person_id: m.person for m in family.members.filter(left_on__isnull=True).select_related("person")}
        if persons is None:
            return list(members.values())
        chosen = list(persons)
        strangers = [p for p in chosen if p.pk not in members]
        if strangers:
            raise DomainError(
                _("%(names)s are not members of this family.") % {"names": ", ".join(str(p) for p in strangers)},
                field="persons",
            )
        return chosen
    return [person]


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
    person into `center`. Refused when the center is closed, has fewer free beds than asked, or
    someone is already staying in a center. The center row stays locked until commit, so
    concurrent check-ins into one center count beds one after another."""
    check_in_on = check_in_on or timezone.localdate()
    _check_date(check_in_on, field="check_in_on", what=_("The check-in date"))
    occupants = _occupants_for(family=family, person=person, persons=persons)
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
    _require_manager(actor, center)
    authz.authorize_actor(actor, "adaptation_centers.add_placement", center)
    if not center.is_open:
        raise DomainError(_("%(center)s is closed and accepts no check-ins.") % {"center": center}, field="center")
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
            % {"person": staying.person, "center": staying.placement.center, "date": _d(staying.check_in_on)},
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
        except IntegrityError as exc:
            # Another center checked one of them in at the same moment: the database said no.
            raise DomainError(
                _("One of these people is already staying in a center; nothing was saved."),
                field="persons",
                code="already_placed",
            ) from exc
    return placement


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
    with acting(actor):
        placement.save(update_fields=["checked_out_on", "check_out_reason", "check_out_note"])
        PlacementOccupant.objects.filter(placement=placement, checked_out_on__isnull=True).update(
            checked_out_on=checked_out_on
        )
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
) -> Decimal:
    """The rules of a service record (also used by forms to show the error next to the field);
    returns the hours as a Decimal."""
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
            % {"center": center, "date": _d(given_on), "names": ", ".join(str(p) for p in missing)},
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
    _require_manager(actor, center)
    authz.authorize_actor(actor, "adaptation_centers.add_servicerecord", center)
    given_on = given_on or timezone.localdate()
    hours = service_record_check(
        center=center, kind=kind, persons=persons, given_on=given_on, hours=hours, outcome=outcome,
        language_level=language_level,
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
    _require_manager(actor, course.center)
    authz.authorize_actor(actor, "adaptation_centers.add_courseenrolment", course)
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
            _("Not staying in %(center)s: %(names)s.")
            % {"center": course.center, "names": ", ".join(str(p) for p in missing)},
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
    _require_manager(actor, course.center)
    authz.authorize_actor(actor, "adaptation_centers.add_coursesession", course)
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
