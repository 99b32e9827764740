"""Demo data of the case file (called by `manage.py load_demo`, idempotent): a few hundred persons
and families across regions, status applications in every state.

Every family applies once for the head, the spouse and the children of Kazakh nationality; a spouse
of another nationality now and then stays on the family's file without a status. Each file carries
the documents the grant requires (drafts sometimes still lack some), decided cases went through the
commission, and each grantee's IIN is recorded at the grant."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.iin import make_iin
from core.models import Country, Region
from oralman import services
from oralman.demo_names import FEMALE_NAMES, MALE_NAMES, SURNAME_ROOTS, latin, surname_for
from oralman.models import Channel, Family, Person, RefusalGround, Relationship, Translation

DEMO_FAMILIES = 120

ORIGINS = [("UZ", 45), ("CN", 30), ("MN", 10), ("TM", 7), ("RU", 5), ("AF", 1), ("IR", 1), ("TR", 1)]
DEMO_REGIONS = ["pavlodar", "akmola", "abai", "east-kazakhstan", "north-kazakhstan", "kostanay", "atyrau", "west-kazakhstan",
                "almaty", "astana", "turkistan", "mangystau"]  # fmt: skip


def load_demo(*, rng, users, families: int = DEMO_FAMILIES) -> str:
    """The case files, once (a database that has them is left as it is). Returns what was done."""
    if Person.objects.filter(passport_number__startswith="DEMO").exists():
        return "Demo case files already present; left as they are."
    _case_files(rng, users, families)
    return f"Created {Person.objects.count()} persons in {Family.objects.count()} families."


def _person(rng, *, sex, birth_date, region, origin, surname_root, serial, ethnicity="kazakh") -> Person:
    given = rng.choice(MALE_NAMES if sex == "M" else FEMALE_NAMES)
    surname = surname_for(surname_root, sex)
    iin = make_iin(birth_date, sex, serial) if rng.random() < 0.4 else None
    return services.person_create(
        actor=None,
        surname=surname,
        given_name=given,
        surname_latin=latin(surname),
        given_name_latin=latin(given),
        birth_date=birth_date,
        sex=sex,
        country_of_origin=origin,
        citizenship=origin,
        passport_country=origin,
        passport_number=f"DEMO{serial:06d}",
        iin=iin,
        ethnicity=ethnicity,
        former_kz_citizen=False,
        region=region,
        languages=["kk", "ru"] if rng.random() < 0.5 else ["kk"],
        preferred_language=rng.choice(["kk", "kk", "ru"]),
        phone=f"+7701{serial:07d}",
        profession=rng.choice(["", "teacher", "doctor", "welder", "driver", "engineer", "nurse", "farmer"]),
        education=rng.choice(["secondary", "vocational", "higher"]),
    ).person


def _case_files(rng, users, families):
    countries = {iso: Country.objects.get(iso2=iso) for iso, _w in ORIGINS}
    regions = {code: Region.objects.get(code=code) for code in DEMO_REGIONS}
    grounds = list(RefusalGround.objects.all())
    today = timezone.localdate()
    serial = 1
    states = ["draft", "submitted", "under_review", "commission", "returned", "granted", "refused", "withdrawn"]
    for index in range(families):
        origin = countries[rng.choices([c for c, _ in ORIGINS], weights=[w for _, w in ORIGINS])[0]]
        region = regions[DEMO_REGIONS[index % len(DEMO_REGIONS)]]
        root = rng.choice(SURNAME_ROOTS)
        head_birth = datetime.date(rng.randint(1960, 1995), rng.randint(1, 12), rng.randint(1, 28))
        head = _person(
            rng, sex="M", birth_date=head_birth, region=region, origin=origin, surname_root=root, serial=serial
        )
        serial += 1
        actor = users["caseworker.pavlodar"] if region.code == "pavlodar" else users["admin"]
        family = services.family_create(head=head, actor=actor)
        if region.code == "pavlodar" and index % 3 == 0:  # some cases on the caseworker's own queue
            services.family_assign(family=family, caseworker=actor, actor=actor)
        # Now and then a spouse of another nationality: on the family's file, with no status of her own.
        spouse_nationality = (
            "kazakh" if rng.random() < 0.85 else {"UZ": "uzbek", "CN": "uyghur"}.get(origin.iso2, "russian")
        )
        spouse = _person(rng, sex="F", birth_date=head_birth + datetime.timedelta(days=rng.randint(-2000, 2000)),
                              region=region, origin=origin, surname_root=root, serial=serial,
                              ethnicity=spouse_nationality)  # fmt: skip
        serial += 1
        services.family_add_member(family=family, person=spouse, relationship=Relationship.SPOUSE, actor=actor)
        listed = [spouse] if spouse.is_kazakh_nationality else []
        for _child in range(rng.choice([0, 1, 2, 3, 4, 5])):
            birth = datetime.date(rng.randint(2005, 2024), rng.randint(1, 12), rng.randint(1, 28))
            child = _person(
                rng,
                sex=rng.choice("MF"),
                birth_date=birth,
                region=region,
                origin=origin,
                surname_root=root,
                serial=serial,
            )
            serial += 1
            services.family_add_member(family=family, person=child, relationship=Relationship.CHILD, actor=actor)
            listed.append(child)
        state = states[index % len(states)] if index < 80 else "granted"
        channel = rng.choice([Channel.PSC, Channel.MIGRATION_PORTAL, Channel.MIGRATION_PORTAL, Channel.EGOV])
        _application(
            head, family, listed, region, state, actor, grounds,
            today - datetime.timedelta(days=rng.randint(3, 40)), channel, rng,
        )  # fmt: skip


def _file_documents(person, actor, *, complete=True):
    """The documents the grant requires, filed and verified (a draft may still lack the last ones)."""
    required = services.required_documents()
    if not complete:
        required = required[: len(required) - 2]
    for rule in required:
        document = services.document_add(
            person=person, actor=actor, doc_type=rule.doc_type, number=f"DEMO-{person.pk}-{rule.doc_type[:3]}",
            translation=Translation.NOTARISED if rule.needs_translation else "",
        )  # fmt: skip
        services.document_verify(document=document, actor=actor)


def _iins(persons, rng) -> dict[int, str]:
    """IINs for the grantees who have none yet (recorded with their first certificate)."""
    iins = {}
    for person in persons:
        if person.iin:
            continue
        while True:
            iin = make_iin(person.birth_date, person.sex, rng.randrange(1, 9999))
            if iin and iin not in iins.values() and not Person.objects.filter(iin=iin).exists():
                iins[person.pk] = iin
                break
    return iins


def _after(submitted: datetime.date, days: int) -> datetime.date:
    """A step `days` after the submission, never later than today: a status granted in the future
    would print a certificate whose verification page says it is not valid yet."""
    return min(submitted + datetime.timedelta(days=days), timezone.localdate())


def _application(head, family, listed, region, state, actor, grounds, submitted, channel, rng):
    app = services.application_create(
        applicant=head, region=region, family=family, channel=channel, actor=actor, today=submitted
    )
    for member in listed:
        services.application_list_member(application=app, person=member, actor=actor, today=submitted)
    for person in [head, *listed]:
        _file_documents(person, actor, complete=state != "draft" or person != head)
    if state == "draft":
        return
    if state == "withdrawn":
        services.application_withdraw(application=app, actor=actor, reason="demo")
        return
    services.application_submit(application=app, actor=actor, today=submitted)
    if state == "submitted":
        return
    if state == "returned":
        services.application_return(application=app, actor=actor, reason="Нет свидетельства о рождении ребёнка")
        return
    services.application_start_review(application=app, actor=actor)
    if state == "under_review":
        return
    services.application_refer_to_commission(application=app, actor=actor, today=_after(submitted, 1))
    if state == "commission":
        return
    services.application_commission_recommend(
        application=app, actor=actor, recommendation="grant" if state == "granted" else "refuse",
        today=_after(submitted, 3),
    )  # fmt: skip
    if state == "granted":
        services.application_grant(
            application=app, actor=actor, today=_after(submitted, 5),
            iins=_iins([head, *listed], rng),
        )  # fmt: skip
    elif state == "refused":
        services.application_refuse(
            application=app,
            actor=actor,
            ground=grounds[0],
            reason="demo",
            today=_after(submitted, 5),
        )
