import datetime

import pytest
from django.db import connection

from benchmarks.generate import Scale, generate
from core.iin import parse_iin
from core.translit import name_key
from oralman.models import (
    ApplicationState,
    ApplicationTransition,
    Family,
    FamilyMember,
    KandasStatus,
    Person,
    StatusApplication,
)
from oralman.services import LEGAL_TRANSITIONS

TODAY = datetime.date(2026, 11, 24)
TABLES = [
    "oralman_person",
    "oralman_family",
    "oralman_familymember",
    "oralman_statusapplication",
    "oralman_kandasstatus",
    "oralman_applicationtransition",
]


def _quiet(_message):
    pass


def _digest() -> dict[str, str]:
    out = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t")
            out[table] = cursor.fetchone()[0]
    return out


def _indexes_and_triggers() -> tuple[set, set]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)", [TABLES])
        indexes = {r[0] for r in cursor.fetchall()}
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal",
            [TABLES],
        )
        triggers = set(cursor.fetchall())
    return indexes, triggers


@pytest.mark.django_db
def test_generator_loads_the_requested_counts():
    result = generate(Scale(persons=600, seed=3, today=TODAY), log=_quiet)

    assert Person.objects.count() == 600
    assert Family.objects.count() == 180
    assert StatusApplication.objects.count() == 180
    assert FamilyMember.objects.count() == 600
    assert KandasStatus.objects.count() == StatusApplication.objects.filter(state="granted").count() > 0
    assert result["rows"]["oralman_person"] == 600


@pytest.mark.django_db
def test_every_family_has_one_head_who_files_its_application():
    generate(Scale(persons=400, seed=5, today=TODAY), log=_quiet)

    heads = FamilyMember.objects.filter(relationship="head")
    assert heads.count() == Family.objects.count()
    assert all(f.head_id == f.members.get(relationship="head").person_id for f in Family.objects.all())
    assert not StatusApplication.objects.exclude(applicant_id__in=Family.objects.values("head_id")).exists()


@pytest.mark.django_db
def test_generated_people_have_valid_iins_and_consistent_name_keys():
    generate(Scale(persons=500, seed=9, today=TODAY), log=_quiet)

    people = list(Person.objects.all())
    with_iin = [p for p in people if p.iin]
    assert with_iin, "granted families carry IINs"
    for person in with_iin:
        info = parse_iin(person.iin)
        assert (info.birth_date, info.sex) == (person.birth_date, person.sex)
    for person in people:
        assert person.name_key == name_key(person.surname, person.given_name)
        assert person.latin_key == name_key(person.surname_latin, person.given_name_latin)
        person.full_clean(exclude=["name_key", "latin_key"])


@pytest.mark.django_db
def test_application_histories_follow_the_legal_moves():
    generate(Scale(persons=1500, seed=2, today=TODAY), log=_quiet)

    for application in StatusApplication.objects.prefetch_related("transitions"):
        moves = [(t.from_state, t.to_state) for t in application.transitions.all()]
        state = ApplicationState.DRAFT
        for from_state, to_state in moves:
            assert from_state == state and to_state in LEGAL_TRANSITIONS[from_state], (application.pk, moves)
            state = to_state
        assert state == application.state
        if application.decision_due:
            assert application.decision_due >= application.clock_started_on
    assert ApplicationTransition.objects.exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_rows_and_another_seed_different_ones():
    generate(Scale(persons=500, seed=11, today=TODAY), log=_quiet)
    first = _digest()
    generate(Scale(persons=500, seed=11, today=TODAY), reset=True, log=_quiet)
    assert _digest() == first
    generate(Scale(persons=500, seed=12, today=TODAY), reset=True, log=_quiet)
    assert _digest()["oralman_person"] != first["oralman_person"]


@pytest.mark.django_db
def test_the_load_restores_indexes_foreign_keys_and_audit_triggers():
    before = _indexes_and_triggers()

    generate(Scale(persons=200, seed=1, today=TODAY), log=_quiet)

    assert _indexes_and_triggers() == before
    from pghistory.models import Events

    assert not Events.objects.exists(), "a bulk load writes no audit events"
    person = Person.objects.first()
    person.profession = "учитель музыки"
    person.save(update_fields=["profession"])
    assert Events.objects.filter(pgh_obj_id=str(person.pk)).exists(), "triggers are back on after the load"


@pytest.mark.django_db
def test_generate_refuses_to_mix_with_existing_case_data():
    generate(Scale(persons=100, seed=1, today=TODAY), log=_quiet)

    with pytest.raises(ValueError, match="--reset"):
        generate(Scale(persons=100, seed=1, today=TODAY), log=_quiet)


def test_generator_arrivals_sum_to_about_116_million():
    """DOMAIN.md: about 1.16 million kandas arrived since 1991 (through 2025)."""
    from benchmarks.generate.oralman import ARRIVALS_THOUSANDS

    through_2025 = sum(v for year, v in ARRIVALS_THOUSANDS.items() if year <= 2025)
    assert 1_150 <= through_2025 <= 1_170
    assert (ARRIVALS_THOUSANDS[2022], ARRIVALS_THOUSANDS[2024], ARRIVALS_THOUSANDS[2025]) == (19.178, 12.325, 16.805)
