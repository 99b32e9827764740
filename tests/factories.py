"""Factories for the shared models. Each app's tests may add their own in tests/<app>/factories.py."""

from __future__ import annotations

import datetime
import itertools

import factory
from django.contrib.auth.models import Group

from core.iin import make_iin
from core.models import Country, Region, User
from oralman.models import (
    Document,
    Family,
    FamilyMember,
    KandasStatus,
    Person,
    StatusApplication,
    StatusRequiredDocument,
    Translation,
)

_serial = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user; `UserFactory(role="caseworker", region=...)` puts them in the role's group."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.set_password("demo-pass-123")
        self.save()
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))


def region(code: str = "pavlodar") -> Region:
    return Region.objects.get(code=code)


def country(iso2: str = "CN") -> Country:
    return Country.objects.get(iso2=iso2)


def unique_iin(birth_date: datetime.date, sex: str) -> str:
    while True:
        iin = make_iin(birth_date, sex, next(_serial))
        if iin:
            return iin


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    surname = factory.Iterator(["Нурланов", "Серікбаев", "Әбілов", "Жақсыбеков", "Қасымов"])
    given_name = factory.Iterator(["Ерлан", "Айгүл", "Нұрлан", "Жанар", "Бауыржан"])
    patronymic = ""
    surname_latin = factory.Iterator(["Nurlanov", "Serikbaev", "Abilov", "Zhaksybekov", "Kasymov"])
    given_name_latin = factory.Iterator(["Erlan", "Aigul", "Nurlan", "Zhanar", "Bauyrzhan"])
    # Spread over 1950-1999 and wrap around, so a long test run never produces a future birth date.
    birth_date = factory.Sequence(lambda n: datetime.date(1950, 1, 1) + datetime.timedelta(days=(97 * n) % 18262))
    sex = "M"
    country_of_origin = factory.LazyFunction(lambda: country("CN"))
    citizenship = factory.LazyFunction(lambda: country("CN"))
    passport_number = factory.Sequence(lambda n: f"E{n:08d}")
    region = factory.LazyFunction(lambda: region("pavlodar"))
    former_kz_citizen = False
    name_key = factory.LazyAttribute(lambda p: __import__("core.translit").translit.name_key(p.surname, p.given_name))
    latin_key = factory.LazyAttribute(
        lambda p: __import__("core.translit").translit.name_key(p.surname_latin, p.given_name_latin)
    )


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family
        skip_postgeneration_save = True

    head = factory.SubFactory(PersonFactory)
    region = factory.LazyAttribute(lambda f: f.head.region)

    @factory.post_generation
    def with_head_member(self, create, extracted, **kwargs):
        if create:
            FamilyMember.objects.create(family=self, person=self.head, relationship="head")


def file_required_documents(person: Person, *, verified: bool = True) -> list[Document]:
    """Every document the status grant requires of `person`, filed (and verified), with a notarised
    translation where one is needed: what a complete, checked case file looks like."""
    verifier = UserFactory(username="document-verifier") if verified else None
    documents = []
    for required in StatusRequiredDocument.objects.filter(active=True):
        documents.append(
            Document.objects.create(
                person=person,
                doc_type=required.doc_type,
                number=f"{required.doc_type[:3].upper()}-{person.pk}",
                translation=Translation.NOTARISED if required.needs_translation else "",
                verified_by=verifier,
                verified_at=datetime.datetime.now(datetime.UTC) if verified else None,
            )
        )
    return documents


class StatusApplicationFactory(factory.django.DjangoModelFactory):
    """An application of an eligible applicant whose file is complete: every required document
    filed and verified and an IIN, unless `complete=False`."""

    class Meta:
        model = StatusApplication
        skip_postgeneration_save = True

    applicant = factory.SubFactory(PersonFactory)
    region = factory.LazyAttribute(lambda a: a.applicant.region)

    @factory.post_generation
    def complete(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        file_required_documents(self.applicant)
        if not self.applicant.iin:
            self.applicant.iin = unique_iin(self.applicant.birth_date, self.applicant.sex)
            self.applicant.save(update_fields=["iin"])


class KandasStatusFactory(factory.django.DjangoModelFactory):
    """A granted status (its application in state 'granted')."""

    class Meta:
        model = KandasStatus

    person = factory.SubFactory(PersonFactory)
    application = factory.LazyAttribute(
        lambda s: StatusApplicationFactory(applicant=s.person, state="granted", decided_on=s.issued_on, complete=False)
    )
    certificate_number = factory.Sequence(lambda n: f"KND-TEST-{n:06d}")
    issued_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    valid_until = factory.LazyAttribute(lambda s: s.issued_on + datetime.timedelta(days=364))
