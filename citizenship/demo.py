"""Demo data of the citizenship app (called by `manage.py load_demo`; idempotent): the historical
admission counts of the seed speech and citizenship applications in every state for demo kandas."""

from __future__ import annotations

import datetime

from django.utils import timezone

from citizenship import services
from citizenship.models import Basis, CitizenshipApplication, CitizenshipRefusalGround, HistoricalAdmission
from citizenship.seed_stats import carry_published_grants, seed_historical_admissions
from core.iin import make_iin
from oralman.models import Document, KandasStatus, Person

STATES = ["submitted", "under_review", "returned", "granted", "granted", "refused", "withdrawn", "granted"]


def _free_iin(person: Person, rng) -> str:
    if person.iin:
        return person.iin
    while True:
        iin = make_iin(person.birth_date, person.sex, rng.randrange(1, 9999))
        if iin and not Person.objects.filter(iin=iin).exists():
            return iin


def registering_body(basis: str, region) -> str:
    """Who decides: the migration service of the region's police department registers the simplified
    bases; the President decides the general procedure by decree."""
    if basis == Basis.GENERAL:
        return "Президент Республики Казахстан"
    return f"Управление миграционной службы Департамента полиции ({region.name_ru})"


def load_demo(*, rng, users) -> None:
    if not HistoricalAdmission.objects.filter(illustrative=True).exists():
        seed_historical_admissions()
    carry_published_grants()
    if CitizenshipApplication.objects.exists():
        return
    today = timezone.localdate()
    # Kandas with a current status apply by the simplified procedure; some persons without a
    # status (family members of citizens, former citizens, general procedure) too.
    # Adults only: minor children follow their parents into citizenship (they do not apply alone).
    adult_born_before = today.replace(year=today.year - 18)
    candidates = [
        (status.person, Basis.ORALMAN, status.issued_on)
        for status in KandasStatus.objects.filter(
            terminated_on__isnull=True, issued_on__lte=today, person__birth_date__lte=adult_born_before
        )
        .select_related("person__region")
        .order_by("pk")[:40]
    ]
    others = Person.objects.filter(statuses__isnull=True, citizen_since__isnull=True).select_related("region")
    other_bases = [Basis.FAMILY_OF_CITIZEN, Basis.FORMER_CITIZEN, Basis.BORN_IN_KAZAKHSTAN, Basis.GENERAL]
    for i, person in enumerate(others.order_by("pk")[:24]):
        candidates.append((person, other_bases[i % len(other_bases)], today - datetime.timedelta(days=200)))
    grounds = list(CitizenshipRefusalGround.objects.filter(active=True))
    for person, basis, earliest in candidates:
        if Person.objects.filter(pk=person.pk, citizen_since__isnull=False).exists():
            continue  # became a citizen with a parent earlier in this loop
        actor = users["caseworker.pavlodar"] if person.region.code == "pavlodar" else users["admin"]
        state = rng.choice(STATES)
        submitted = earliest + datetime.timedelta(days=rng.randrange(0, max(1, (today - earliest).days)))
        app = services.application_submit(
            person=person, basis=basis, region=person.region, actor=actor, submitted_on=submitted
        )
        for doc_type in services.required_doc_types(basis):
            document = Document.objects.create(
                person=person, doc_type=doc_type, number=f"DEMO-{app.pk}-{doc_type[:3]}", uploaded_by=actor,
                verified_by=actor, verified_at=timezone.now(),
            )  # fmt: skip
            services.application_attach_document(application=app, document=document, actor=actor)
        if state == "submitted":
            continue
        if state == "withdrawn":
            services.application_withdraw(application=app, actor=actor, reason="demo")
            continue
        services.application_start_review(application=app, actor=actor)
        if state == "returned":
            services.application_return(application=app, actor=actor, reason="нотариальный отказ от гражданства")
        elif state == "granted":
            registered = min(today, submitted + datetime.timedelta(days=rng.randrange(0, 110)))
            services.application_grant(
                application=app, actor=actor, registering_body=registering_body(basis, person.region),
                registration_number=f"{registered.year}-{app.pk:04d}", registration_date=registered,
                iin=_free_iin(person, rng), today=registered,
            )  # fmt: skip
        elif state == "refused":
            decided = min(today, submitted + datetime.timedelta(days=rng.randrange(0, 110)))
            services.application_refuse(application=app, actor=actor, ground=rng.choice(grounds), today=decided)
