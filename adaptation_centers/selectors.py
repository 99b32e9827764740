"""Reads of centers, stays and services, always through the user's scope.

Administrators and ministry analysts see every center (analysts read only); center staff see
only the centers they are assigned to; caseworkers see the stays and services of their region's
families and persons (read only) and every center's beds (to know where to refer a family).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from adaptation_centers.models import (
    Center,
    CenterStaff,
    Course,
    Placement,
    PlacementOccupant,
    ServiceKind,
    ServiceRecord,
)
from core.roles import Role, role_of
from oralman.models import Person


def staffed_center_ids(user) -> QuerySet:
    """Ids of the centers the user is assigned to (as a subquery)."""
    return CenterStaff.objects.filter(user_id=user.pk).values("center_id")


def person_ids_placed_in_users_centers(user) -> QuerySet:
    """Ids (values('pk')) of the persons staying now in the centers the user staffs; used by
    oralman.selectors to give center staff their residents' files."""
    staying = PlacementOccupant.objects.filter(
        person_id=OuterRef("pk"), checked_out_on__isnull=True, placement__center_id__in=staffed_center_ids(user)
    )
    return Person.objects.filter(Exists(staying)).values("pk")


def _beds_taken_subquery():
    open_stays = (
        Placement.objects.filter(center_id=OuterRef("pk"), checked_out_on__isnull=True)
        .order_by()
        .values("center_id")
        .annotate(n=Sum("beds"))
        .values("n")
    )
    return Coalesce(Subquery(open_stays, output_field=IntegerField()), Value(0))


def center_list(*, user) -> QuerySet[Center]:
    """Centers with `beds_taken` annotated (open stays now)."""
    qs = Center.objects.select_related("region").annotate(beds_taken=_beds_taken_subquery())
    role = role_of(user)
    if role in (Role.ADMINISTRATOR, Role.MINISTRY_ANALYST, Role.CASEWORKER):
        return qs
    if role == Role.CENTER_STAFF:
        return qs.filter(pk__in=staffed_center_ids(user))
    return qs.none()


def _region_scope(user) -> Q | None:
    """For caseworkers: stays of their region's families, and of single persons of their region."""
    return Q(family__region_id=user.region_id) | Q(family__isnull=True, person__region_id=user.region_id)


def placement_list(*, user) -> QuerySet[Placement]:
    qs = Placement.objects.select_related("center", "center__region", "person", "family__head")
    role = role_of(user)
    if role in (Role.ADMINISTRATOR, Role.MINISTRY_ANALYST):
        return qs
    if role == Role.CENTER_STAFF:
        return qs.filter(center_id__in=staffed_center_ids(user))
    if role == Role.CASEWORKER and user.region_id:
        return qs.filter(_region_scope(user))
    return qs.none()


def occupant_list(*, user) -> QuerySet[PlacementOccupant]:
    return PlacementOccupant.objects.filter(placement__in=placement_list(user=user).values("pk")).select_related(
        "person", "placement__center"
    )


def service_record_list(*, user) -> QuerySet[ServiceRecord]:
    qs = ServiceRecord.objects.select_related("center", "person", "kind", "given_by")
    role = role_of(user)
    if role in (Role.ADMINISTRATOR, Role.MINISTRY_ANALYST):
        return qs
    if role == Role.CENTER_STAFF:
        return qs.filter(center_id__in=staffed_center_ids(user))
    if role == Role.CASEWORKER and user.region_id:
        return qs.filter(person__region_id=user.region_id)
    return qs.none()


def course_list(*, user) -> QuerySet[Course]:
    qs = Course.objects.select_related("center", "kind", "teacher")
    role = role_of(user)
    if role in (Role.ADMINISTRATOR, Role.MINISTRY_ANALYST):
        return qs
    if role == Role.CENTER_STAFF:
        return qs.filter(center_id__in=staffed_center_ids(user))
    if role == Role.CASEWORKER and user.region_id:
        return qs.filter(center__region_id=user.region_id)
    return qs.none()


def person_find_for_check_in(identifier: str) -> list[Person]:
    """An arriving person looked up by an exact IIN, passport number or case number (never a
    browse: center staff see only their residents' files otherwise)."""
    value = (identifier or "").strip()
    if not value:
        return []
    query = Q(iin=value) | Q(passport_number__iexact=value)
    if value.isascii() and value.isdigit() and len(value) < 12:  # "²" is a digit to isdigit(), not to int()
        query |= Q(pk=int(value))
    return list(Person.objects.filter(query).select_related("region")[:2])


def current_family_of(person: Person):
    """The family the person belongs to now, if any."""
    from oralman.models import FamilyMember

    member = FamilyMember.objects.filter(person=person, left_on__isnull=True).select_related("family__head").first()
    return member.family if member else None


def service_kind_list() -> QuerySet[ServiceKind]:
    return ServiceKind.objects.filter(active=True)


# --- The desk --------------------------------------------------------------------------------


@dataclass
class Desk:
    """What a center clerk needs on one screen for one day."""

    center: Center
    today: datetime.date
    beds_taken: int
    staying: list[Placement]
    arrivals: list[Placement]
    departures_due: list[Placement]
    departed: list[Placement]
    overstays: list[Placement]

    @property
    def free_beds(self) -> int:
        return max(self.center.capacity - self.beds_taken, 0)

    @property
    def residents(self) -> list[PlacementOccupant]:
        return [o for p in self.staying for o in p.current_occupants]


def center_desk(*, center: Center, today: datetime.date | None = None) -> Desk:
    """Today's arrivals and departures, who is staying, free beds and overstays, in 2 queries."""
    today = today or timezone.localdate()
    current = Prefetch(
        "occupants",
        queryset=PlacementOccupant.objects.filter(checked_out_on__isnull=True).select_related("person"),
        to_attr="current_occupants",
    )
    rows = list(
        Placement.objects.filter(center_id=center.pk)
        .filter(Q(checked_out_on__isnull=True) | Q(checked_out_on=today))
        .select_related("person", "family__head")
        .prefetch_related(current)
        .order_by("planned_check_out_on", "pk")
    )
    for placement in rows:
        placement.center = center  # the same row; saves a query per line of the desk
    staying = [p for p in rows if p.checked_out_on is None]
    return Desk(
        center=center,
        today=today,
        beds_taken=sum(p.beds for p in staying),
        staying=staying,
        arrivals=[p for p in rows if p.check_in_on == today],
        departures_due=[p for p in staying if p.planned_check_out_on == today],
        departed=[p for p in rows if p.checked_out_on == today],
        overstays=[p for p in staying if p.planned_check_out_on < today],
    )
