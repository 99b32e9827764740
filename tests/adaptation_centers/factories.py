"""Factories for the centers' tests."""

from __future__ import annotations

import factory

from adaptation_centers.models import Center, CenterStaff, ServiceKind
from tests.factories import FamilyFactory, PersonFactory, region


class CenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Center

    name_ru = factory.Sequence(lambda n: f"Центр адаптации №{n}")
    name_kk = factory.Sequence(lambda n: f"№{n} бейімдеу орталығы")
    name_en = factory.Sequence(lambda n: f"Adaptation center No. {n}")
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
