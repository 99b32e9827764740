"""Adaptation and temporary accommodation centers: centers, stays (placements and their occupants),
referrals, stay extensions and the services given, derived set-based from the generated families.

Shape (a documented guess; DOMAIN.md gives no national totals for the centers):
- about 100 centers at 1,000,000 persons (never fewer than one per region), 60-250 beds, one in four
  a temporary accommodation center; every region has at least one;
- the centers opened in 2005 (Nurly kosh): 70 % of the families that arrived since then stayed in a
  center of their region on arrival, the whole family (the head as the placement's person, every
  member an occupant): about 100,000 stays and 350,000 occupants at 1,000,000 persons;
- a stay lasts 20-180 nights (planned: 6 months); one in twenty is extended (to 9 months, with the
  extension recorded) and lasts up to 260 nights; stays that reach past today are still open (some
  overrun: overstays);
- every stay was referred (by the region's caseworker, one in ten registered at the desk), the
  referral closed as placed on the day of check-in; families that arrived in the last 30 days and
  were not placed have an open referral;
- each occupant received 1-3 services during the stay (about 700,000 at 1,000,000 persons), the
  outcome following the kind (a language course reaches a level, employment help finds work, ...).

Deterministic: the centers come from `ctx.rng("adaptation_centers")`; every other choice is a hash of
(seed, row id), so the same seed and "today" give the same rows.
"""

from __future__ import annotations

from benchmarks.generate import Context, generator

CENTERS_PER_MILLION = 100
PLACED_PERCENT = 70
CENTERS_SINCE = "2005-01-01"


def h(expr: str, salt: str, modulo: int) -> str:
    """A deterministic pseudo-random integer in [0, modulo) from the seed, a salt and an SQL expression."""
    return f"((('x' || substr(md5(%(seed)s || ':{salt}:' || ({expr})::text), 1, 7))::bit(28)::int) %% {modulo})"


PLACEMENTS_SQL = f"""
WITH centers AS (
    SELECT id, region_id, row_number() OVER (PARTITION BY region_id ORDER BY id) - 1 AS k,
           count(*) OVER (PARTITION BY region_id) AS n
      FROM adaptation_centers_center
), sizes AS (
    SELECT family_id, count(*) AS members FROM oralman_familymember GROUP BY family_id
), chosen AS (
    SELECT f.id AS family_id, f.head_id, f.region_id, s.members, f.created_at::date AS check_in_on,
           CASE WHEN {h("f.id", "long", 20)} = 0 THEN 200 + {h("f.id", "len", 61)}
                ELSE 20 + {h("f.id", "len", 161)} END AS nights,
           {h("f.id", "long", 20)} = 0 AS extended,
           {h("f.id", "center", 1000)} AS pick
      FROM oralman_family f JOIN sizes s ON s.family_id = f.id
     WHERE f.created_at >= %(since)s AND {h("f.id", "placed", 100)} < %(placed)s
)
INSERT INTO adaptation_centers_placement
    (id, center_id, family_id, person_id, beds, check_in_on, planned_check_out_on, checked_out_on,
     check_out_reason, check_out_note, note, created_by_id, created_at)
SELECT row_number() OVER (ORDER BY ch.family_id), c.id,
       CASE WHEN ch.members > 1 THEN ch.family_id END, ch.head_id, ch.members, ch.check_in_on,
       (ch.check_in_on + CASE WHEN ch.extended THEN INTERVAL '9 months' ELSE INTERVAL '6 months' END)::date,
       CASE WHEN ch.check_in_on + ch.nights <= %(today)s THEN ch.check_in_on + ch.nights END,
       CASE WHEN ch.check_in_on + ch.nights > %(today)s THEN ''
            ELSE (ARRAY['housing', 'resettled', 'housing', 'stay_ended', 'voluntary', 'housing', 'resettled',
                        'transferred', 'left_country', 'other'])[1 + {h("ch.family_id", "reason", 10)}] END,
       '', '', NULL, ch.check_in_on + TIME '11:00' AT TIME ZONE 'Asia/Almaty'
  FROM chosen ch JOIN centers c ON c.region_id = ch.region_id AND c.k = ch.pick %% c.n
"""

OCCUPANTS_SQL = """
INSERT INTO adaptation_centers_placementoccupant (id, placement_id, person_id, check_in_on, checked_out_on)
SELECT row_number() OVER (ORDER BY p.id, m.person_id), p.id, m.person_id, p.check_in_on, p.checked_out_on
  FROM adaptation_centers_placement p
  JOIN oralman_family f ON f.head_id = p.person_id
  JOIN oralman_familymember m ON m.family_id = f.id
"""

EXTENSIONS_SQL = """
INSERT INTO adaptation_centers_placementextension
    (id, placement_id, previous_check_out_on, new_check_out_on, reason, actor_id, at)
SELECT row_number() OVER (ORDER BY p.id), p.id, (p.check_in_on + INTERVAL '6 months')::date, p.planned_check_out_on,
       'Ожидание жилья по программе переселения', NULL,
       (p.check_in_on + INTERVAL '5 months')::date + TIME '10:00' AT TIME ZONE 'Asia/Almaty'
  FROM adaptation_centers_placement p
 WHERE p.planned_check_out_on > (p.check_in_on + INTERVAL '6 months')::date
   AND (p.check_in_on + INTERVAL '5 months')::date <= %(today)s
"""

REFERRALS_SQL = f"""
INSERT INTO adaptation_centers_referral
    (id, center_id, person_id, family_id, source, state, referred_on, status_holder_reason, note, placement_id,
     closed_on, cancel_reason, created_by_id, created_at)
SELECT row_number() OVER (ORDER BY kind, ref_id), center_id, person_id, family_id,
       CASE WHEN {h("ref_id", "source", 10)} = 0 THEN 'desk' ELSE 'caseworker' END,
       state, referred_on, '', '', placement_id, closed_on, '', NULL,
       referred_on + TIME '09:30' AT TIME ZONE 'Asia/Almaty'
FROM (
    -- every stay was referred; the referral closed as placed on the day of check-in
    SELECT 1 AS kind, p.id AS ref_id, p.center_id, p.person_id, p.family_id, 'placed' AS state,
           p.check_in_on - {h("p.id", "wait", 10)} AS referred_on, p.id AS placement_id, p.check_in_on AS closed_on
      FROM adaptation_centers_placement p
    UNION ALL
    -- families arrived in the last 30 days and not placed: expected at a center of their region
    SELECT 2, f.id, (SELECT c.id FROM adaptation_centers_center c WHERE c.region_id = f.region_id ORDER BY c.id LIMIT 1),
           f.head_id, f.id, 'open', f.created_at::date, NULL, NULL
      FROM oralman_family f
     WHERE f.created_at::date > %(today)s::date - 30
       AND NOT EXISTS (SELECT 1 FROM adaptation_centers_placement p WHERE p.person_id = f.head_id)
) AS rows
"""

SERVICES_SQL = f"""
WITH kinds AS (
    SELECT id, category, is_language_course, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n
      FROM adaptation_centers_servicekind WHERE active
), given AS (
    SELECT o.id AS occupant_id, o.person_id, p.center_id, s.step,
           o.check_in_on + {h("o.id * 4 + s.step", "day", 100000)} %%
               GREATEST(1, COALESCE(o.checked_out_on, %(today)s::date) - o.check_in_on) AS given_on,
           {h("o.id * 4 + s.step", "kind", 1000)} AS pick, {h("o.id * 4 + s.step", "outcome", 100)} AS roll
      FROM adaptation_centers_placementoccupant o
      JOIN adaptation_centers_placement p ON p.id = o.placement_id
      CROSS JOIN LATERAL generate_series(1, 1 + {h("o.id", "services", 3)}) AS s(step)
     WHERE o.check_in_on < %(today)s
)
INSERT INTO adaptation_centers_servicerecord
    (id, center_id, person_id, kind_id, given_on, hours, given_by_id, outcome, language_level, note, session_id,
     batch, created_by_id, created_at)
SELECT row_number() OVER (ORDER BY g.occupant_id, g.step), g.center_id, g.person_id, k.id, g.given_on,
       CASE WHEN k.category = 'education' THEN 2 ELSE 1 END, NULL,
       CASE WHEN k.is_language_course AND g.roll < 60 THEN 'language_level'
            WHEN k.category = 'employment' AND g.roll < 30 THEN 'employment_found'
            WHEN k.category = 'housing' AND g.roll < 40 THEN 'housing_found'
            WHEN k.category = 'documents' AND g.roll < 50 THEN 'documents_obtained'
            WHEN g.roll >= 95 THEN 'referred'
            WHEN g.roll >= 92 THEN 'declined'
            WHEN g.given_on > %(today)s::date - 14 AND g.roll >= 80 THEN 'in_progress'
            ELSE 'given' END,
       CASE WHEN k.is_language_course AND g.roll < 60 THEN (ARRAY['A1', 'A2', 'B1', 'B2'])[1 + g.roll %% 4] ELSE '' END,
       '', NULL, NULL, NULL, g.given_on + TIME '12:00' AT TIME ZONE 'Asia/Almaty'
  FROM given g JOIN kinds k ON k.k = g.pick %% k.n
"""


@generator(
    "adaptation_centers",
    tables=[
        "adaptation_centers.Center",
        "adaptation_centers.Placement",
        "adaptation_centers.PlacementOccupant",
        "adaptation_centers.PlacementExtension",
        "adaptation_centers.Referral",
        "adaptation_centers.ServiceRecord",
    ],
    order=40,
)
def generate_adaptation_centers(ctx: Context) -> dict[str, int]:
    rng = ctx.rng("adaptation_centers")
    today = ctx.scale.today
    with ctx.loader.connection.cursor() as cursor:
        cursor.execute("SELECT id, code, name_ru, name_kk, name_en FROM core_region ORDER BY code")
        regions = cursor.fetchall()
    wanted = max(len(regions), round(CENTERS_PER_MILLION * ctx.scale.persons / 1_000_000))
    stream = ctx.loader.stream(
        "adaptation_centers_center",
        ["id", "name_ru", "name_kk", "name_en", "kind", "region_id", "address", "phone", "email", "capacity",
         "max_stay_months", "is_open", "created_at"],
    )  # fmt: skip
    numbers: dict[int, int] = {}
    for center_id in range(1, wanted + 1):
        region_id, code, name_ru, name_kk, name_en = regions[(center_id - 1) % len(regions)]
        numbers[region_id] = numbers.get(region_id, 0) + 1
        number = numbers[region_id]
        temporary = rng.random() < 0.25
        kind = "temporary" if temporary else "adaptation"
        names = (
            (f"Центр временного размещения кандасов № {number} ({name_ru})",
             f"Қандастарды уақытша орналастыру орталығы № {number} ({name_kk})",
             f"Temporary accommodation center for kandas No. {number} ({name_en})")
            if temporary
            else (f"Центр адаптации и интеграции кандасов № {number} ({name_ru})",
                  f"Қандастарды бейімдеу және кіріктіру орталығы № {number} ({name_kk})",
                  f"Kandas adaptation and integration center No. {number} ({name_en})")
        )  # fmt: skip
        stream.writerow(
            center_id, *names, kind, region_id, f"ул. Абая, {rng.randint(1, 250)}",
            f"+7 7{rng.randint(10, 29)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            f"center{center_id}.{code}@enbek.gov.kz", rng.choice((60, 80, 100, 120, 150, 200, 250)), 6,
            rng.random() > 0.03, "2005-01-10 09:00:00+05",
        )  # fmt: skip
    stream.flush()
    params = {"seed": str(ctx.scale.seed), "today": today, "since": CENTERS_SINCE, "placed": PLACED_PERCENT}
    counts = {"adaptation_centers_center": stream.count}
    for table, sql in (
        ("adaptation_centers_placement", PLACEMENTS_SQL),
        ("adaptation_centers_placementoccupant", OCCUPANTS_SQL),
        ("adaptation_centers_placementextension", EXTENSIONS_SQL),
        ("adaptation_centers_referral", REFERRALS_SQL),
        ("adaptation_centers_servicerecord", SERVICES_SQL),
    ):
        counts[table] = ctx.loader.execute(sql, params)
    return counts
