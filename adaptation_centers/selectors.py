"""Reads of centers, stays and services, always through the user's scope.

Administrators and ministry analysts see every center (analysts read only); center staff see
only the centers they are assigned to; caseworkers see the stays and services of their region's
families and persons (read only) and every center's beds (to know where to refer a family).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone

from adaptation_centers.models import (
    Center,
    CenterStaff,
    Course,
    Placement,
    PlacementOccupant,
    Referral,
    ReferralState,
    ServiceKind,
    ServiceRecord,
)
from core.roles import Role, role_of
from oralman.models import Family, FamilyMember, Person


def staffed_center_ids(user) -> QuerySet:
    """Ids of the centers the user is assigned to (as a subquery)."""
    return CenterStaff.objects.filter(user_id=user.pk).values("center_id")


def _open_referrals_to(center_ids) -> QuerySet[Referral]:
    return Referral.objects.filter(state=ReferralState.OPEN, center_id__in=center_ids)


def _referred_to(center_ids) -> Q:
    """Persons with an open referral to one of `center_ids`: referred alone (or as a family's
    head), or current members of a referred family (as a filter on Person)."""
    open_referrals = _open_referrals_to(center_ids)
    alone = Exists(open_referrals.filter(person_id=OuterRef("pk")))
    in_family = Exists(
        FamilyMember.objects.filter(
            person_id=OuterRef("pk"),
            left_on__isnull=True,
            family_id__in=open_referrals.filter(family__isnull=False).values("family_id"),
        )
    )
    return Q(alone) | Q(in_family)


def _staying_in(center_ids) -> Exists:
    return Exists(
        PlacementOccupant.objects.filter(
            person_id=OuterRef("pk"), checked_out_on__isnull=True, placement__center_id__in=center_ids
        )
    )


def person_ids_placed_in_users_centers(user) -> QuerySet:
    """Ids (values('pk')) of the persons center staff may reach: staying now in the centers the
    user staffs, or referred to one of them by an open referral (the person, or a current member of
    the referred family). oralman.selectors gives center staff these persons' files and nothing
    else: staff reach a person only through their own center's work, never by a number."""
    centers = staffed_center_ids(user)
    # A UNION of the three small id lists (a few hundred ids), not `EXISTS .. OR EXISTS .. OR ..`
    # per person: the planner starts from these ids and probes the persons by key instead of
    # evaluating three subplans for ~400,000 persons (38 s at 1,000,000 persons, issue 16).
    open_referrals = _open_referrals_to(centers)
    staying = PlacementOccupant.objects.filter(
        checked_out_on__isnull=True, placement__center_id__in=centers
    ).values_list("person_id")
    referred_alone = open_referrals.filter(person__isnull=False).values_list("person_id")
    in_referred_family = FamilyMember.objects.filter(
        left_on__isnull=True, family_id__in=open_referrals.filter(family__isnull=False).values("family_id")
    ).values_list("person_id")
    return staying.order_by().union(referred_alone.order_by(), in_referred_family.order_by())


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
    """For caseworkers: stays of their region's families, and of single persons of their region.

    The stay's family in the region (EXISTS), or, for the rare stay without a family, its person's
    region read by primary key, rather than an OR across the joined family and person, which made
    PostgreSQL join every stay in history before filtering. PostgreSQL answers the EXISTS either by
    hashing the region's family ids once (a whole list) or by a primary-key probe per stay (a
    search's few hundred stays), whichever is cheaper. An `IN (the region's ids)` could only hash,
    and for the persons that meant 185,000 ids of a large region on every query, for the few stays
    without a family (issue 16)."""
    families = Family.objects.filter(pk=OuterRef("family_id"), region_id=user.region_id)
    person_region = Subquery(Person.objects.filter(pk=OuterRef("person_id")).order_by().values("region_id")[:1])
    return Q(Exists(families)) | Q(family__isnull=True) & Q(Exact(person_region, user.region_id))


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


def person_find_for_check_in(*, center: Center, identifier: str) -> list[Person]:
    """An arriving person looked up by an exact IIN or foreign passport number **among those
    referred to `center`** (an open referral) **or staying there now**; never by case number and
    never in the national registry, so a clerk cannot pull a stranger's file into their center."""
    value = (identifier or "").strip()
    if not value:
        return []
    centers = [center.pk]
    return list(
        Person.objects.filter(Q(iin=value) | Q(passport_number__iexact=value))
        .filter(Q(_staying_in(centers)) | _referred_to(centers))
        .select_related("region")[:2]
    )


def referral_covering(*, center: Center, person: Person) -> Referral | None:
    """The open referral to `center` that brings `person` there: their own, or their current family's."""
    families = FamilyMember.objects.filter(person=person, left_on__isnull=True).values("family_id")
    return (
        _open_referrals_to([center.pk])
        .filter(Q(person=person) | Q(family__in=families))
        .select_related("family__head", "person")
        .order_by("pk")
        .first()
    )


def referral_list(*, user) -> QuerySet[Referral]:
    """Administrators and analysts: every referral; caseworkers: their region's persons' and
    families'; center staff: the referrals to their centers."""
    qs = Referral.objects.select_related(
        "center", "person", "family__head", "created_by", "placement__person", "placement__center"
    )
    role = role_of(user)
    if role in (Role.ADMINISTRATOR, Role.MINISTRY_ANALYST):
        return qs
    if role == Role.CENTER_STAFF:
        return qs.filter(center_id__in=staffed_center_ids(user))
    if role == Role.CASEWORKER and user.region_id:
        return qs.filter(_region_scope(user))
    return qs.none()


def open_referrals_at(*, center: Center) -> list[Referral]:
    """The persons and families expected at the center's desk (open referrals), oldest first."""
    return list(
        _open_referrals_to([center.pk])
        .select_related("person", "family__head")
        .annotate(members=Count("family__members", filter=Q(family__members__left_on__isnull=True)))
        .order_by("referred_on", "pk")
    )


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


def check_outs_undoable(*, center: Center) -> list[Placement]:
    """Stays of `center` checked out recently enough to be undone (services.placement_check_out_undo)."""
    since = timezone.now() - datetime.timedelta(minutes=settings.KANDAS_CHECKOUT_UNDO_MINUTES)
    rows = list(
        Placement.objects.filter(center_id=center.pk, checked_out_on__isnull=False, checked_out_at__gte=since)
        .select_related("person", "family__head")
        .order_by("-checked_out_at", "-pk")
    )
    for placement in rows:
        placement.center = center
    return rows
