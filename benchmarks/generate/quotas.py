"""Quota requests of the quota years since 2022 (counted in persons, reference data of the quotas app),
derived set-based from the generated families.

- each year from 2022 keeps the quota set by its act (the migration's reference data); a year with
  no regional split yet gets the 2026 split's regions, shares in proportion to the 2026 shares;
- demand is about three times the places: families (any arrival year, their region of settlement one
  of the year's quota regions) file one request each, ranked per region by the highest priority
  category claimed (four in ten claim one), then by the filing time;
- the closed years are decided: the families that fit the region's share in order are allocated,
  nine in ten of them then settled (a few declined or were released), the rest waitlisted with
  their place in the line; the open year has its first run done on the requests filed by 1 March
  and the later ones pending;
- `RegionalQuota.used` is set to the places held (the triggers that keep it are off during the load).

Deterministic: every choice is a hash of (seed, year, family id).
"""

from __future__ import annotations

from benchmarks.generate import Context, generator
from benchmarks.generate.adaptation_centers import h

FIRST_YEAR = 2022
DEMAND_FACTOR = 3  # families' places requested per place of the quota, at 1,000,000 persons

SHARES_SQL = """
INSERT INTO quotas_regionalquota (quota_year_id, region_id, places, used)
SELECT y.id, s.region_id, GREATEST(1, floor(s.places::numeric * y.national_total / t.total)::int), 0
  FROM quotas_quotayear y
  JOIN quotas_quotayear model ON model.year = (SELECT max(year) FROM quotas_quotayear
                                                WHERE id IN (SELECT quota_year_id FROM quotas_regionalquota))
  JOIN quotas_regionalquota s ON s.quota_year_id = model.id
  CROSS JOIN LATERAL (SELECT sum(places) AS total FROM quotas_regionalquota WHERE quota_year_id = model.id) t
 WHERE y.year >= %(first)s AND y.unit = 'persons'
   AND NOT EXISTS (SELECT 1 FROM quotas_regionalquota q WHERE q.quota_year_id = y.id)
"""

REQUESTS_SQL = f"""
WITH years AS (
    SELECT y.id, y.year, y.unit, y.is_open, y.national_total,
           (SELECT array_agg(region_id ORDER BY region_id) FROM quotas_regionalquota WHERE quota_year_id = y.id) AS regions
      FROM quotas_quotayear y WHERE y.year >= %(first)s AND y.unit = 'persons'
), sizes AS (
    SELECT family_id, count(*)::int AS members FROM oralman_familymember GROUP BY family_id
), filed AS (
    SELECT y.id AS year_id, y.year, y.unit, y.is_open, f.id AS family_id, s.members,
           y.regions[1 + {h("y.year::bigint * 10000000 + f.id", "region", 1000)} %% array_length(y.regions, 1)] AS region_id,
           make_timestamptz(y.year, 1, 10, 9, 0, 0, 'Asia/Almaty')
               + {h("y.year::bigint * 10000000 + f.id", "minute", 120 * 24 * 60)} * INTERVAL '1 minute' AS submitted_at
      FROM years y JOIN oralman_family f ON {h("y.year::bigint * 10000000 + f.id", "files", 1000000)} < %(permillion)s
      JOIN sizes s ON s.family_id = f.id
     WHERE y.regions IS NOT NULL
)
INSERT INTO quotas_quotarequest
    (id, family_id, quota_year_id, region_id, members_count, places, submitted_at, state, close_reason, created_at)
SELECT row_number() OVER (ORDER BY year_id, family_id), family_id, year_id, region_id, members,
       CASE WHEN unit = 'families' THEN 1 ELSE members END, submitted_at, 'pending', '', submitted_at
  FROM filed
"""

CATEGORIES_SQL = f"""
INSERT INTO quotas_quotarequest_categories (id, quotarequest_id, prioritycategory_id)
SELECT row_number() OVER (ORDER BY r.id), r.id, c.id
  FROM quotas_quotarequest r
  JOIN LATERAL (SELECT id FROM quotas_prioritycategory WHERE active ORDER BY rank
                OFFSET {h("r.id", "category", 1000)} %% (SELECT count(*) FROM quotas_prioritycategory WHERE active)
                LIMIT 1) c ON TRUE
 WHERE {h("r.id", "claims", 10)} < 4
"""

# The decision of a run (strict order): rank per region, allocated while the cumulative places fit.
DECIDE_SQL = f"""
WITH best AS (
    SELECT rc.quotarequest_id AS id, min(c.rank) AS rank
      FROM quotas_quotarequest_categories rc JOIN quotas_prioritycategory c ON c.id = rc.prioritycategory_id
     GROUP BY 1
), considered AS (
    SELECT r.id, r.quota_year_id, r.region_id, r.places, y.year, y.is_open, b.rank AS category_rank,
           row_number() OVER w AS rank, sum(r.places) OVER w AS needed
      FROM quotas_quotarequest r JOIN quotas_quotayear y ON y.id = r.quota_year_id
      LEFT JOIN best b ON b.id = r.id
     WHERE NOT y.is_open OR r.submitted_at < make_timestamptz(y.year, 3, 1, 0, 0, 0, 'Asia/Almaty')
    WINDOW w AS (PARTITION BY r.quota_year_id, r.region_id ORDER BY COALESCE(b.rank, 32767), r.submitted_at, r.id)
), decided AS (
    SELECT c.*, CASE WHEN c.needed <= q.places THEN 'allocated' ELSE 'waitlisted' END AS decision
      FROM considered c JOIN quotas_regionalquota q ON q.quota_year_id = c.quota_year_id AND q.region_id = c.region_id
), final AS (
    SELECT d.*,
           CASE WHEN d.decision = 'waitlisted'
                THEN row_number() OVER (PARTITION BY d.quota_year_id, d.region_id, d.decision ORDER BY d.rank) END AS line,
           CASE WHEN d.decision = 'allocated' AND NOT d.is_open
                THEN (ARRAY['settled', 'settled', 'settled', 'settled', 'settled', 'settled', 'settled', 'settled',
                            'settled', 'declined'])[1 + {h("d.id", "outcome", 10)}]
                ELSE d.decision END AS state
      FROM decided d
)
UPDATE quotas_quotarequest r
   SET state = f.state, rank = CASE WHEN f.state = 'declined' THEN NULL ELSE f.rank END,
       waitlist_position = f.line,
       deciding_category_id = (SELECT id FROM quotas_prioritycategory WHERE rank = f.category_rank),
       decided_at = make_timestamptz(f.year, 3, 1, 10, 0, 0, 'Asia/Almaty'),
       closed_at = CASE WHEN f.state IN ('settled', 'declined')
                        THEN make_timestamptz(f.year, 9, 1, 10, 0, 0, 'Asia/Almaty') END,
       close_reason = CASE WHEN f.state = 'declined' THEN 'Семья отказалась от переезда в регион' ELSE '' END
  FROM final f WHERE f.id = r.id
"""

USED_SQL = """
UPDATE quotas_regionalquota q
   SET used = COALESCE((SELECT sum(places) FROM quotas_quotarequest r
                         WHERE r.quota_year_id = q.quota_year_id AND r.region_id = q.region_id
                           AND r.state IN ('allocated', 'settled')), 0)
"""


@generator("quotas", tables=["quotas.QuotaRequest", "quotas.QuotaRequest_categories"], order=50)
def generate_quotas(ctx: Context) -> dict[str, int]:
    params = {"seed": str(ctx.scale.seed), "first": FIRST_YEAR}
    with ctx.loader.connection.cursor() as cursor:
        cursor.execute(
            "SELECT avg(national_total) FROM quotas_quotayear WHERE year >= %s AND unit = 'persons'", [FIRST_YEAR]
        )
        (places,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*), avg(n) FROM (SELECT count(*) AS n FROM oralman_familymember GROUP BY family_id) s"
        )
        families, members = cursor.fetchone()
    if not places or not families:
        return {"quotas_quotarequest": 0, "quotas_quotarequest_categories": 0}
    # Families filing per year: DEMAND_FACTOR x the places, in families, at 1,000,000 persons (scaled),
    # never fewer than 40 a year so that the small data sets still have a ranking to show.
    filing = max(40, DEMAND_FACTOR * float(places) / float(members) * ctx.scale.persons / 1_000_000)
    params["permillion"] = min(1_000_000, round(1_000_000 * filing / families))
    ctx.loader.execute(SHARES_SQL, params)
    requests = ctx.loader.execute(REQUESTS_SQL, params)
    categories = ctx.loader.execute(CATEGORIES_SQL, params)
    ctx.loader.execute(DECIDE_SQL, params)
    ctx.loader.execute(USED_SQL)
    return {"quotas_quotarequest": requests, "quotas_quotarequest_categories": categories}
