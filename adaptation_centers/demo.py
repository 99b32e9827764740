"""Demo data for the centers, called by the project's demo command (never by a migration).

`load_demo_centers(rng=random.Random(seed))` creates a few believable centers (the Uralsk one with
20 beds, as in DOMAIN.md), assigns no staff, refers a few existing persons and families to them and
checks them in through the services (recent arrivals, a stay ending this week, an overstay) with
some services logged, and leaves a few referrals open: the arrivals the demo clerk checks in at the
desk. Each center takes whom its kind allows (an adaptation center: status holders and their
families; a temporary center: those without a status yet). Running it again changes nothing.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from adaptation_centers import services
from adaptation_centers.models import Center, CenterKind, PlacementOccupant, Referral, ReferralState, ServiceKind
from core.errors import DomainError
from core.models import Region
from oralman.models import FamilyMember, Person

CENTERS = [
    # (region code, kind, beds, name_ru, name_kk, name_en, address)
    ("west-kazakhstan", CenterKind.TEMPORARY, 20,
     "Центр временного размещения кандасов, г. Уральск", "Орал қаласының қандастарды уақытша орналастыру орталығы",
     "Temporary accommodation center for kandas, Oral (Uralsk)", "г. Уральск, ул. Жангир хана, 45"),
    ("pavlodar", CenterKind.ADAPTATION, 40,
     "Центр адаптации и интеграции кандасов, г. Павлодар", "Павлодар қаласының қандастарды бейімдеу және кіріктіру орталығы",
     "Adaptation and integration center for kandas, Pavlodar", "г. Павлодар, ул. Ломова, 12"),
    ("akmola", CenterKind.ADAPTATION, 30,
     "Центр адаптации и интеграции кандасов, г. Кокшетау", "Көкшетау қаласының қандастарды бейімдеу және кіріктіру орталығы",
     "Adaptation and integration center for kandas, Kokshetau", "г. Кокшетау, ул. Абая, 89"),
    ("east-kazakhstan", CenterKind.ADAPTATION, 25,
     "Центр адаптации и интеграции кандасов, г. Усть-Каменогорск", "Өскемен қаласының қандастарды бейімдеу және кіріктіру орталығы",
     "Adaptation and integration center for kandas, Oskemen", "г. Усть-Каменогорск, пр. Независимости, 7"),
    ("shymkent", CenterKind.TEMPORARY, 50,
     "Центр временного размещения, г. Шымкент", "Шымкент қаласының уақытша орналастыру орталығы",
     "Temporary accommodation center, Shymkent", "г. Шымкент, ул. Байтурсынова, 3"),
]  # fmt: skip

DEMO_SERVICES = ["info-orientation", "legal-status", "language-kazakh", "medical-examination", "employment-help"]


# Open referrals left for the demo clerk to check in at each center's desk.
EXPECTED_PER_CENTER = 3


def _free_persons():
    """Persons neither staying in a center nor referred to one."""
    staying = PlacementOccupant.objects.filter(person_id=OuterRef("pk"), checked_out_on__isnull=True)
    referred = Referral.objects.filter(person_id=OuterRef("pk"), state=ReferralState.OPEN)
    return Person.objects.filter(~Exists(staying), ~Exists(referred))


def _candidates(center: Center, *, rng: random.Random) -> list[tuple[str, int]]:
    """Families of the center's region first (then of any region), and single persons, shuffled."""
    heads = FamilyMember.objects.filter(relationship="head", left_on__isnull=True, person__in=_free_persons())
    local = list(heads.filter(family__region=center.region).order_by("pk").values_list("person_id", flat=True)[:40])
    other = list(heads.exclude(family__region=center.region).order_by("pk").values_list("person_id", flat=True)[:40])
    singles = list(_free_persons().filter(memberships__isnull=True).order_by("pk").values_list("pk", flat=True)[:40])
    rng.shuffle(local)
    rest = [("family", pk) for pk in other] + [("person", pk) for pk in singles]
    rng.shuffle(rest)
    return [("family", pk) for pk in local] + rest


def _refer(center: Center, what: str, pk: int, *, referred_on: datetime.date, note: str = ""):
    """A referral as the region's caseworker would make it; None when the center's kind does not take them."""
    person = Person.objects.get(pk=pk)
    family = FamilyMember.objects.get(person=person, left_on__isnull=True).family if what == "family" else None
    try:
        return services.referral_create(
            center=center, actor=None, family=family, person=None if family else person, referred_on=referred_on,
            note=note,
        )  # fmt: skip
    except DomainError:
        return None  # e.g. no valid status for an adaptation center, or a status holder for a temporary one


def _place_some(center: Center, *, rng: random.Random, today: datetime.date) -> int:
    """Refer and check in a few families (or single persons) at staggered dates."""
    placed = 0
    for what, pk in _candidates(center, rng=rng):
        if placed >= 5 or services.free_beds(center) <= center.capacity // 3:
            break  # leave room for the demo clerk's own check-ins
        arrived = today - datetime.timedelta(days=rng.randint(0, 25))
        referral = _refer(center, what, pk, referred_on=arrived - datetime.timedelta(days=rng.randint(1, 10)))
        if referral is None:
            continue
        planned = None
        if placed == 0:  # an overstay to show on the desk
            planned = arrived + datetime.timedelta(days=max((today - arrived).days - 2, 0))
        elif placed == 1:  # leaving this week
            planned = today + datetime.timedelta(days=rng.randint(1, 6))
        try:
            placement = services.placement_check_in_by_referral(
                referral=referral, actor=None, check_in_on=arrived, planned_check_out_on=planned, note="demo"
            )
        except DomainError:
            services.referral_cancel(referral=referral, actor=None, reason="demo: no room")
            continue  # full, or the person was placed meanwhile: the demo stays believable either way
        placed += 1
        people = [o.person for o in placement.occupants.all()]
        for code in rng.sample(DEMO_SERVICES, 2):
            kind = ServiceKind.objects.get(code=code)
            services.service_record_log(
                center=center, kind=kind, persons=people, actor=None, given_on=max(arrived, today - datetime.timedelta(days=3)),
                hours=2 if kind.is_course else 1,
            )  # fmt: skip
    return placed


def _expect_some(center: Center, *, rng: random.Random, today: datetime.date) -> int:
    """Leave a few open referrals: the arrivals the demo clerk checks in at the desk."""
    if center.referrals.filter(state=ReferralState.OPEN).exists():
        return 0
    expected = 0
    for what, pk in _candidates(center, rng=rng):
        if expected >= EXPECTED_PER_CENTER:
            break
        referral = _refer(
            center, what, pk, referred_on=today - datetime.timedelta(days=rng.randint(0, 5)),
            note="ожидается на этой неделе",
        )  # fmt: skip
        expected += referral is not None
    return expected


@transaction.atomic
def load_demo_centers(*, rng: random.Random) -> dict:
    """Create the demo centers and place a few existing persons; idempotent."""
    today = timezone.localdate()
    created = placed = expected = 0
    for code, kind, beds, name_ru, name_kk, name_en, address in CENTERS:
        region = Region.objects.filter(code=code).first()
        if region is None:
            continue
        center, is_new = Center.objects.get_or_create(
            name_ru=name_ru,
            defaults={
                "name_kk": name_kk, "name_en": name_en, "kind": kind, "region": region, "address": address,
                "capacity": beds, "phone": "+7 7" + str(rng.randint(100000000, 999999999)),
            },
        )  # fmt: skip
        created += is_new
        if not center.placements.exists():
            placed += _place_some(center, rng=rng, today=today)
        expected += _expect_some(center, rng=rng, today=today)
    return {"centers_created": created, "placements_created": placed, "referrals_open": expected}


def demo_center(region_code: str) -> Center | None:
    """The demo center of a region (e.g. "west-kazakhstan" for Uralsk), to assign demo staff to."""
    names = [c[3] for c in CENTERS if c[0] == region_code]
    return Center.objects.filter(name_ru__in=names).first()


def load_demo(*, rng: random.Random, users: dict) -> None:
    """Hook called by `manage.py load_demo`: centers, a few residents, and the demo clerk's desk."""
    from adaptation_centers.services import center_staff_assign

    load_demo_centers(rng=rng)
    clerk = users.get("center.uralsk")
    center = demo_center("west-kazakhstan")
    if clerk is not None and center is not None and not center.staff.filter(user=clerk).exists():
        center_staff_assign(center=center, user=clerk, actor=None)
