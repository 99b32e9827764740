"""The one person matcher: search in any spelling, IIN prefixes, duplicates, the nightly sweep."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.translit import name_key
from oralman import matching, services
from oralman.models import DuplicateFlag, Person
from tests.factories import PersonFactory, country, region

D = datetime.date


@pytest.fixture
def zhumabaev(db):
    return PersonFactory(
        surname="Жұмабаев",
        given_name="Нұрлан",
        surname_latin="Zhumabayev",
        given_name_latin="Nurlan",
        birth_date=D(1980, 3, 15),
        iin="800315300012",
        passport_number="E99887766",
    )


@pytest.fixture
def qaliev(db):
    return PersonFactory(surname="Қалиев", given_name="Бауыржан", surname_latin="", given_name_latin="")


def found(term: str) -> list[Person]:
    return list(matching.order_by_match(matching.person_match(Person.objects.all(), term)))


@pytest.mark.parametrize(
    "term",
    [
        "Жумабаев",  # typed on a Russian keyboard, without the Kazakh letters
        "Жұмабаев",
        "Jumabaev",
        "Zhumabayev",
        "Djumabaev",
        "ZHUMABAEV nurlan",
        "Нурлан Жумабаев",  # name parts swapped
        ";evf,ftd",  # Жумабаев typed with the keyboard on the Latin layout
        "Жумабаевв",  # a typo
    ],
)
def test_search_finds_a_person_however_the_name_is_spelled(zhumabaev, term):
    assert found(term)[:1] == [zhumabaev]


def test_search_finds_q_spellings_of_kazakh_letters(qaliev):
    assert found("Qaliev") == [qaliev]
    assert found("Kaliev") == [qaliev]


def test_a_partial_iin_finds_every_iin_that_starts_so(zhumabaev):
    PersonFactory(iin="991231400015")
    assert found("800315") == [zhumabaev]
    assert found("800315300012") == [zhumabaev]
    assert found("8003159") == []


def test_a_passport_number_and_a_birth_date_narrow_the_name(zhumabaev):
    PersonFactory(surname="Жумабаев", given_name="Ерлан", birth_date=D(1990, 1, 1))
    assert found("E99887766") == [zhumabaev]
    assert found("Жумабаев 15.03.1980") == [zhumabaev]


def test_results_are_ranked_and_say_why_they_matched(zhumabaev):
    near = PersonFactory(surname="Жумабай", given_name="Нурлан", surname_latin="", given_name_latin="")
    rows = found("Жумабаев Нурлан")
    assert rows == [zhumabaev, near]
    assert rows[0].match_score == pytest.approx(1.0)
    assert rows[0].match_score > rows[1].match_score
    assert matching.reasons(rows[0], "Жумабаев Нурлан") == ["имя (совпадает в транслитерации)"]
    assert matching.reasons(rows[1], "Жумабаев Нурлан")[0].startswith("имя похоже,")
    assert matching.reasons(rows[0], "800315") == ["ИИН начинается с 800315"]


def test_a_short_term_is_a_prefix_of_the_key_not_a_scan(zhumabaev):
    assert found("Жу") == [zhumabaev]
    with CaptureQueriesContext(connection) as queries:
        list(matching.person_match(Person.objects.all(), "Жу"))
    assert "LIKE" in queries[-1]["sql"] and "%%" not in queries[-1]["sql"].split("LIKE", 1)[1][:12]


def test_a_short_term_lists_in_key_order_through_one_btree(zhumabaev):
    """Issue 16: one or two letters match a prefix of the name key in the "C" collation and list in
    that key's order, so the first page reads index entries instead of sorting thousands of names."""
    zhunusov = PersonFactory(surname="Жүнісов", given_name="Арман", surname_latin="Zhunussov", given_name_latin="Arman")
    PersonFactory(surname="Сейітов", given_name="Болат")
    assert found("Жу") == sorted([zhumabaev, zhunusov], key=lambda p: (p.name_key.encode(), p.pk))
    assert found("Zh") == found("Жу")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        # On three rows a sort is as cheap as anything: penalise it, so the plan shows whether an
        # index can serve the order (it cannot if the index and the ORDER BY drift apart).
        cursor.execute("SET LOCAL enable_sort = off")
        plan = matching.order_by_match(matching.person_match(Person.objects.all(), "Жу"))[:50].explain()
    assert "person_name_key_c_idx" in plan and "Sort" not in plan, plan


def test_name_search_is_answered_by_the_trigram_index(zhumabaev):
    PersonFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = matching.person_match(Person.objects.all(), "Zhumabayev").order_by().explain()
    assert "person_name_key_trgm" in plan or "person_latin_key_trgm" in plan, plan


def test_an_empty_search_suggests_the_nearest_spellings(zhumabaev):
    assert found("Жумабекович") == []
    assert matching.suggestions(Person.objects.all(), "Жумабекович") == ["Жұмабаев Нұрлан"]


# --- In the admin and the API ----------------------------------------------------------------


def test_the_admin_search_box_uses_the_matcher_best_first_with_reasons(client, caseworker, zhumabaev):
    PersonFactory(surname="Жумабай", given_name="Нурлан", surname_latin="", given_name_latin="")
    client.force_login(caseworker)
    response = client.get("/admin/oralman/person/", {"q": "Zhumabayev Nurlan"})
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows[0] == zhumabaev
    assert "совпадает в транслитерации" in response.content.decode()


def test_the_admin_suggests_spellings_when_nothing_is_found(client, caseworker, zhumabaev):
    client.force_login(caseworker)
    response = client.get("/admin/oralman/person/", {"q": "Жумабекович"})
    texts = [str(m) for m in response.context["messages"]]
    assert any("Жұмабаев Нұрлан" in t for t in texts), texts


def test_the_admin_search_stays_in_the_callers_region(client, other_caseworker, zhumabaev):
    client.force_login(other_caseworker)
    response = client.get("/admin/oralman/person/", {"q": "Жумабаев"})
    assert list(response.context["cl"].result_list) == []
    assert "Жұмабаев" not in response.content.decode()


def test_the_api_search_uses_the_matcher(api, caseworker, zhumabaev):
    response = api(caseworker).get("/api/v1/persons/", {"search": "Jumabaev"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [zhumabaev.pk]
    assert results[0]["match"] == {"score": 1.0, "reasons": ["имя (совпадает в транслитерации)"]}


# --- Duplicates ------------------------------------------------------------------------------


def person_fields(**overrides):
    fields = {
        "surname": "Жумабаев",
        "given_name": "Нурлан",
        "surname_latin": "Jumabaev",
        "given_name_latin": "Nurlan",
        "birth_date": D(1980, 3, 15),
        "sex": "M",
        "country_of_origin": country("CN"),
        "region": region("pavlodar"),
    }
    return {**fields, **overrides}


def test_a_new_person_with_a_similar_name_and_the_same_birth_date_is_flagged(caseworker, zhumabaev):
    result = services.person_create(actor=caseworker, **person_fields(surname="Жумабаев", given_name="Нурлан"))
    assert [(f.other, f.reason) for f in result.duplicates] == [(zhumabaev, DuplicateFlag.Reason.NAME_BIRTH_DATE)]
    assert result.duplicates[0].similarity == pytest.approx(1.0)


def test_a_duplicate_in_another_region_is_flagged_without_naming_the_person(api, other_caseworker, zhumabaev):
    payload = person_fields(region=region("akmola").pk, country_of_origin=country("CN").pk, birth_date="1980-03-15")
    response = api(other_caseworker).post("/api/v1/persons/", payload, format="json")
    assert response.status_code == 201, response.json()
    (duplicate,) = response.json()["possible_duplicates"]
    assert duplicate["in_your_scope"] is False
    assert duplicate["person"] is None and duplicate["name"] is None
    assert "Жұмабаев" not in response.content.decode()


def test_a_taken_iin_is_refused_without_naming_a_holder_the_caller_cannot_see(other_caseworker, zhumabaev):
    from core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.person_create(
            actor=other_caseworker, **person_fields(region=region("akmola"), iin=zhumabaev.iin, surname="Иванов")
        )
    assert "Жұмабаев" not in refused.value.message and str(zhumabaev.pk) not in refused.value.message


def test_the_nightly_sweep_flags_similar_pairs_once_and_respects_dismissals(zhumabaev):
    twin = PersonFactory(surname="Jumabaev", given_name="Nurlan", birth_date=zhumabaev.birth_date, passport_number="X1")
    PersonFactory(surname="Jumabaev", given_name="Nurlan", birth_date=D(1981, 3, 15), passport_number="X2")
    assert matching.duplicate_sweep() == 1
    flag = DuplicateFlag.objects.get()
    assert (flag.person, flag.other, flag.reason) == (twin, zhumabaev, "name_birth_date")
    flag.resolved_at = flag.created_at
    flag.save()
    assert matching.duplicate_sweep() == 0
    assert DuplicateFlag.objects.get().resolved_at is not None


# --- Precision and recall on a generated set with known duplicates ----------------------------

SURNAMES = [
    "Жұмабаев",
    "Қалиев",
    "Серікбаев",
    "Әбілов",
    "Нұрғалиев",
    "Тоқтаров",
    "Ысқақов",
    "Оспанов",
    "Бекұлы",
    "Сәрсенбаев",
]
GIVEN = ["Нұрлан", "Айгүл", "Ерлан", "Жанар", "Бауыржан", "Гүлнар", "Асқар", "Дәурен", "Мәдина", "Серік"]
_RU_FOR_KK = str.maketrans("әғқңөұүһі", "агкноуухи")
_RU_LAYOUT = "йцукенгшщзхъфывапролджэячсмитьбю"
_EN_LAYOUT = "qwertyuiop[]asdfghjkl;'zxcvbnm,."


def _variants(surname: str, given: str, rng: random.Random) -> tuple[str, str]:
    """One way a second record of the same human is typed: Russian keyboard, passport Latin,
    a typo, swapped name parts, or a keyboard-layout slip."""
    kind = rng.randrange(5)
    if kind == 0:
        return surname.lower().translate(_RU_FOR_KK).title(), given.lower().translate(_RU_FOR_KK).title()
    if kind == 1:
        from core.translit import to_latin

        latin = to_latin(surname).capitalize().replace("y", "yi", 1) if rng.random() < 0.3 else to_latin(surname)
        return latin.replace("k", rng.choice("kq"), 1).capitalize(), to_latin(given).capitalize()
    if kind == 2:
        i = rng.randrange(1, len(surname) - 1)
        return surname[:i] + surname[i + 1 :], given
    if kind == 3:
        return given, surname
    table = str.maketrans(_RU_LAYOUT, _EN_LAYOUT)
    return surname.lower().translate(_RU_FOR_KK).translate(table), given


@pytest.mark.django_db
def test_duplicate_detection_precision_and_recall(caseworker, capsys):
    """200 persons, 100 of them typed a second time in another spelling; distinct persons share
    birth dates on purpose (the hard case). Precision and recall of the check on create."""
    rng = random.Random(2026)
    originals = []
    for i in range(200):
        surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
        birth = D(1970, 1, 1) + datetime.timedelta(days=rng.randrange(40))  # ~5 persons per day
        originals.append(
            PersonFactory(
                surname=surname, given_name=given, surname_latin="", given_name_latin="", birth_date=birth,
                passport_number=f"P{i}", iin=None,
            )
        )  # fmt: skip
    true_pos = false_pos = false_neg = 0
    for original in rng.sample(originals, 100):
        surname, given = _variants(original.surname, original.given_name, rng)
        person = Person(surname=surname, given_name=given, birth_date=original.birth_date)
        person.name_key, person.latin_key = name_key(surname, given), ""
        flagged = {other.pk for other, _reason, _score in matching.likely_duplicates(person)}
        same_human = {original.pk} | {
            p.pk
            for p in originals
            if p.birth_date == original.birth_date and p.name_key == original.name_key and p.pk != original.pk
        }
        true_pos += len(flagged & same_human)
        false_pos += len(flagged - same_human)
        false_neg += original.pk not in flagged
    precision = true_pos / (true_pos + false_pos)
    recall = (100 - false_neg) / 100
    with capsys.disabled():
        print(f"\nduplicate detection: precision {precision:.2f}, recall {recall:.2f}")
    assert recall >= 0.9
    assert precision >= 0.9


def test_every_search_box_that_reaches_a_person_uses_the_matcher(client, caseworker, zhumabaev):
    from tests.factories import FamilyFactory, StatusApplicationFactory

    application = StatusApplicationFactory(applicant=zhumabaev)
    family = FamilyFactory(head=zhumabaev)
    client.force_login(caseworker)
    for url, row in (
        ("/admin/oralman/statusapplication/", application),
        ("/admin/oralman/family/", family),
    ):
        for term in ("Zhumabayev", "Жумабаев Нурлан", "800315"):
            response = client.get(url, {"q": term})
            assert list(response.context["cl"].result_list) == [row], (url, term)
