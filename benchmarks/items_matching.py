"""The person matcher (oralman.matching) at national scale: the admin and API name searches, an IIN
prefix, the likely-duplicate check for one new person, and the dry run of a 1,000-line arrival
list, each beside the hand-written SQL that asks PostgreSQL the same question."""

from __future__ import annotations

import tablib
from django.core.files.base import ContentFile
from django.db import connection

from benchmarks.items import COUNTRY_CHOICES, BenchContext, Case, _url, item, ok_response

PAGE = 50
RUSSIAN_KEYBOARD = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")

PERSON_COLUMNS = """p.id, p.surname, p.given_name, p.patronymic, p.surname_latin, p.given_name_latin,
       p.birth_date, p.iin, c.name_ru, r.name_ru"""
PERSON_FROM = """oralman_person p
  JOIN core_country c ON c.id = p.country_of_origin_id
  JOIN core_region r ON r.id = p.region_id"""


def name_where(keys: list[str]) -> tuple[str, dict]:
    """What a person who knows pg_trgm writes: word similarity (GIN) or a key prefix (btree)."""
    parts, params = [], {}
    for i, key in enumerate(keys):
        params[f"k{i}"], params[f"p{i}"] = key, f"{key}%"
        parts.append(
            f"p.name_key %%> %(k{i})s OR p.latin_key %%> %(k{i})s OR p.name_key LIKE %(p{i})s OR p.latin_key LIKE %(p{i})s"
        )
    score = ", ".join(
        f"word_similarity(%(k{i})s, p.name_key), word_similarity(%(k{i})s, p.latin_key)" for i in range(len(keys))
    )
    return f"({' OR '.join(parts)})", {**params, "score": score}


def search_bound(*, region: int, term: str) -> list[tuple[str, dict]]:
    from oralman.matching import parse

    parsed = parse(term)
    where = "p.region_id = %(region)s AND p.merged_into_id IS NULL"
    params: dict = {"region": region}
    order = "p.surname, p.given_name, p.id"
    if parsed.iin_prefix:
        where += " AND p.iin LIKE %(iin)s"
        params["iin"] = f"{parsed.iin_prefix}%"
    if parsed.name_keys:
        condition, extra = name_where(parsed.name_keys)
        score = extra.pop("score")
        where += f" AND {condition}"
        params.update(extra)
        order = f"GREATEST({score}) DESC, {order}"
    return [
        COUNTRY_CHOICES,
        (f"SELECT {PERSON_COLUMNS} FROM {PERSON_FROM} WHERE {where} ORDER BY {order} LIMIT {PAGE}", params),
        (f"SELECT count(*) FROM oralman_person p WHERE {where}", params),
    ]


def _sample(region_id: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT id, surname, given_name, surname_latin, iin, birth_date, passport_number
                 FROM oralman_person WHERE region_id = %s AND iin IS NOT NULL AND surname ~ '[әғқңөұүһі]'
                ORDER BY id OFFSET 100 LIMIT 1""",
            [region_id],
        )
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                """SELECT id, surname, given_name, surname_latin, iin, birth_date, passport_number
                     FROM oralman_person WHERE region_id = %s AND iin IS NOT NULL ORDER BY id LIMIT 1""",
                [region_id],
            )
            row = cursor.fetchone()
    keys = ("id", "surname", "given_name", "surname_latin", "iin", "birth_date", "passport_number")
    return dict(zip(keys, row, strict=True)) if row else {}


@item
def person_matcher(ctx: BenchContext) -> list[Case]:
    url = _url("admin:oralman_person_changelist")
    api = _url("person-list")
    sample = _sample(ctx.region.pk)
    if url is None or api is None or not sample:
        return [Case("admin: persons, search", "admin", None, None, missing="no persons or no person URLs")]
    from oralman.matching import likely_duplicates
    from oralman.models import Person

    cw = ctx.client_caseworker
    russian = sample["surname"].translate(RUSSIAN_KEYBOARD)
    latin = (sample["surname_latin"] or "").replace("zh", "j").replace("Zh", "J") or russian
    prefix = sample["iin"][:6]
    cases = []
    for label, term in (
        ("Russian keyboard", russian),
        ("Latin variant", latin),
        ("name and given name", f"{russian} {sample['given_name']}"),
        ("IIN prefix", prefix),
    ):
        cases.append(
            Case(
                f"admin: persons, search {label} '{term}' (caseworker)",
                "admin",
                lambda term=term: cw.get(url, {"q": term}),
                search_bound(region=ctx.region.pk, term=term),
                check=ok_response,
            )
        )
    cases.append(
        Case(
            f"api: persons, search Latin variant '{latin}' (caseworker)",
            "api",
            lambda: cw.get(api, {"search": latin}),
            search_bound(region=ctx.region.pk, term=latin)[1:],
            check=ok_response,
        )
    )

    probe = Person(
        surname=russian, given_name=sample["given_name"], birth_date=sample["birth_date"], passport_number="X0000000"
    )
    from core.translit import name_key

    probe.name_key, probe.latin_key = name_key(russian, sample["given_name"]), ""
    key = probe.name_key
    cases.append(
        Case(
            "job: likely duplicates of one new person (whole registry)",
            "job",
            lambda: likely_duplicates(probe),
            [
                (
                    """SELECT id FROM oralman_person WHERE passport_number = %(passport)s""",
                    {"passport": "X0000000"},
                ),
                (
                    """SELECT id, GREATEST(similarity(name_key, %(key)s), similarity(latin_key, %(key)s)) AS score
                         FROM oralman_person
                        WHERE birth_date = %(birth)s AND (name_key %% %(key)s OR latin_key %% %(key)s)
                          AND GREATEST(similarity(name_key, %(key)s), similarity(latin_key, %(key)s)) >= 0.5
                        ORDER BY score DESC, id LIMIT 20""",
                    {"key": key, "birth": sample["birth_date"]},
                ),
            ],
        )
    )
    cases.append(_dry_run_case(ctx, size=100 if ctx.smoke else 1000))
    return cases


def _dry_run_case(ctx: BenchContext, *, size: int) -> Case:
    """A list of `size` lines: every other one a person already in the registry typed on a Russian
    keyboard, the rest new; the check runs the matcher on each line."""
    from oralman import imports
    from oralman.models import ImportBatch

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT surname, given_name, birth_date, sex, iin FROM oralman_person
                WHERE region_id = %s ORDER BY id LIMIT %s""",
            [ctx.region.pk, size // 2],
        )
        existing = cursor.fetchall()
    keys = [c.key for c in imports.COLUMNS]
    data = tablib.Dataset(headers=keys)
    for i in range(size):
        if i % 2 == 0 and existing:
            surname, given, birth, sex, iin = existing[(i // 2) % len(existing)]
            surname = surname.translate(RUSSIAN_KEYBOARD)
        else:
            surname, given, birth, sex, iin = "Новиков", f"Ерлан{i}", None, "M", ""
        row = {
            "external_id": f"bench-{i}",
            "surname": surname,
            "given_name": given,
            "birth_date": (birth.strftime("%d.%m.%Y") if birth else f"{1 + i % 28:02d}.{1 + i % 12:02d}.1985"),
            "sex": sex,
            "country_of_origin": "CN",
            "iin": iin if i % 4 == 0 else "",
        }
        data.append([row.get(k, "") for k in keys])
    content = data.export("csv", delimiter=";").encode("utf-8-sig")

    def run():
        batch = ImportBatch.objects.create(
            source="bench", region=ctx.region, created_by=ctx.caseworker, file=ContentFile(content, name="bench.csv")
        )
        imports.import_check(batch=batch)

    from core.translit import name_key

    bound = []
    for values in data:
        row = dict(zip(keys, values, strict=True))
        bound.append(
            (
                "SELECT id FROM oralman_externalreference WHERE source = %(s)s AND external_id = %(e)s",
                {"s": "bench", "e": row["external_id"]},
            )
        )
        if row["iin"]:
            bound.append(("SELECT id FROM oralman_person WHERE iin = %(iin)s", {"iin": row["iin"]}))
        day, month, year = row["birth_date"].split(".")
        bound.append(
            (
                """SELECT id FROM oralman_person WHERE birth_date = %(birth)s
                     AND (name_key %% %(key)s OR latin_key %% %(key)s) AND merged_into_id IS NULL
                     AND GREATEST(similarity(name_key, %(key)s), similarity(latin_key, %(key)s)) >= 0.5
                   ORDER BY 1 LIMIT 3""",
                {"birth": f"{year}-{month}-{day}", "key": name_key(row["surname"], row["given_name"])},
            )
        )
    return Case(
        f"job: dry run of a {size:,}-line arrival list (matcher on every line)",
        "job",
        run,
        bound,
        target_ratio=None,
        target_p95_ms=None,
        repeat_scale=0.15,
        note="bound: per line the external-id lookup, the IIN lookup and the similar-name query by birth date",
    )
