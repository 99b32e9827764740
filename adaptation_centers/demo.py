"""Demo data for the centers, called by the project's demo command (never by a migration).

`load_demo_centers(rng=random.Random(seed))` creates a few believable centers (the Uralsk one with
20 beds, as in DOMAIN.md), assigns no staff, and checks a few existing persons and families in
through the services (recent arrivals, a stay ending this week, an overstay) with some services
logged. Running it again changes nothing.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from adaptation_centers import services
from adaptation_centers.models import Center, CenterKind, PlacementOccupant, ServiceKind
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


def _free_persons():
    staying = PlacementOccupant.objects.filter(person_id=OuterRef("pk"), checked_out_on__isnull=True)
    return Person.objects.filter(~Exists(staying))


def _place_some(center: Center, *, rng: random.Random, today: datetime.date) -> int:
    """Check in a few families of the center's region (or anyone, if none) at staggered dates."""
    heads = list(
        FamilyMember.objects.filter(relationship="head", left_on__isnull=True, person__in=_free_persons())
        .filter(family__region=center.region)
        .order_by("pk")
        .values_list("person_id", flat=True)[:40]
    )
    singles = list(_free_persons().filter(memberships__isnull=True).order_by("pk").values_list("pk", flat=True)[:40])
    candidates = [("family", pk) for pk in heads] + [("person", pk) for pk in singles]
    rng.shuffle(candidates)
    placed = 0
    for index, (what, pk) in enumerate(candidates[:5]):
        if services.free_beds(center) <= center.capacity // 3:
            break  # leave room for the demo clerk's own check-ins
        person = Person.objects.get(pk=pk)
        family = FamilyMember.objects.get(person=person, left_on__isnull=True).family if what == "family" else None
        arrived = today - datetime.timedelta(days=rng.randint(0, 25))
        planned = None
        if index == 0:  # an overstay to show on the desk
            planned = arrived + datetime.timedelta(days=max((today - arrived).days - 2, 0))
        elif index == 1:  # leaving this week
            planned = today + datetime.timedelta(days=rng.randint(1, 6))
        try:
            placement = services.placement_check_in(
                center=center, family=family, person=None if family else person, actor=None, check_in_on=arrived,
                planned_check_out_on=planned, note="demo",
            )  # fmt: skip
        except DomainError:
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


@transaction.atomic
def load_demo_centers(*, rng: random.Random) -> dict:
    """Create the demo centers and place a few existing persons; idempotent."""
    today = timezone.localdate()
    created = placed = 0
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
    return {"centers_created": created, "placements_created": placed}


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
