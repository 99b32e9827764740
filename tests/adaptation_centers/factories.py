"""Factories for the centers' tests."""

from __future__ import annotations

import factory

from adaptation_centers.models import Center, CenterKind, CenterStaff, Referral, ReferralSource, ServiceKind
from tests.factories import FamilyFactory, PersonFactory, region


class CenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Center

    # A temporary accommodation center takes arrivals without a status (PersonFactory's default);
    # tests of the adaptation centers' rule pass kind=CenterKind.ADAPTATION.
    name_ru = factory.Sequence(lambda n: f"Центр временного размещения №{n}")
    name_kk = factory.Sequence(lambda n: f"№{n} уақытша орналастыру орталығы")
    name_en = factory.Sequence(lambda n: f"Temporary accommodation center No. {n}")
    kind = CenterKind.TEMPORARY
    region = factory.LazyFunction(lambda: region("pavlodar"))
    address = "Павлодар, ул. Кутузова, 1"
    capacity = 20
    max_stay_months = 6


def staff_of(center: Center, user) -> CenterStaff:
    return CenterStaff.objects.get_or_create(center=center, user=user)[0]


def kind(code: str = "legal-consultation") -> ServiceKind:
    return ServiceKind.objects.get(code=code)


def family_of(size: int, **person_fields):
    """A family whose head and `size - 1` more members share the region."""
    from oralman.models import FamilyMember

    family = FamilyFactory(head=PersonFactory(**person_fields))
    for _ in range(size - 1):
        FamilyMember.objects.create(family=family, person=PersonFactory(**person_fields), relationship="child")
    return family


def refer(center: Center, *, person=None, family=None, **fields) -> Referral:
    """An open referral of the person (or the family, through its head) to the center, written
    directly (the rules of referral_create have their own tests)."""
    head = family.head if family is not None else person
    return Referral.objects.create(
        center=center, person=head, family=family, source=fields.pop("source", ReferralSource.CASEWORKER), **fields
    )


def referred_check_in(**kwargs):
    """placement_check_in after referring the family or person to the center (as the region's
    caseworker would have), for tests about what happens once someone is referred."""
    from adaptation_centers.services import placement_check_in

    family, person = kwargs.get("family"), kwargs.get("person")
    head = family.head if family is not None else person
    if head is not None and not Referral.objects.filter(person=head, state="open").exists():
        refer(kwargs["center"], person=person, family=family)
    return placement_check_in(**kwargs)
