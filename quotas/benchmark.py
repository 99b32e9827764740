"""Benchmark of the allocation job and the quota-use report against hand-written SQL.

`run_allocation_benchmark(pending=100_000)` generates N pending requests (set-based INSERT ... SELECT
from generate_series) in an isolated quota year with a share in every region, then on the same
database in the same run:
  - times one hand-written read-only SELECT with window functions that computes the same allocation
    (strict-order rule: cumulative places per region against the share), best of `repeat`;
  - times the same decision written by one hand-written UPDATE (rolled back, then VACUUM), i.e. the
    cost of the writes with the same triggers and foreign keys;
  - times the write floor: that UPDATE with no triggers at all, rolled back, and once committed
    (then put back as generated, triggers off; VACUUM after each);
  - times the real job (`allocation_run_execute`: per-region transactions, locks, the set-based
    UPDATE, the audit and quota triggers, the commits);
  - checks the two give the same state, rank, waiting-line place and deciding category for every request;
  - times the quota-use report (ORM aggregate) against its raw SQL, best of `repeat`.
The generated rows are deleted afterwards unless `keep=True`. Used by the project's bench command.
"""

from __future__ import annotations

import time

import pgtrigger
from django.db import connection, transaction
from django.utils import timezone

from quotas import reports, services
from quotas.models import MAX_QUOTA_PLACES, NO_CATEGORY_RANK, AllocationRun, QuotaRequest, QuotaYear

# The same allocation as the job, in one statement (strict-order rule): a candidate is allocated
# when the places of all candidates up to it in its region's order fit in what the share has left.
DECIDED_CTE = f"""
WITH best AS (
    SELECT DISTINCT ON (rc.quotarequest_id) rc.quotarequest_id AS id, c.rank, c.id AS category_id
    FROM quotas_quotarequest_categories rc
    JOIN quotas_prioritycategory c ON c.id = rc.prioritycategory_id AND c.active
    JOIN quotas_quotarequest r ON r.id = rc.quotarequest_id AND r.quota_year_id = %(year)s
    ORDER BY rc.quotarequest_id, c.rank
), ordered AS (
    SELECT r.id, r.region_id, r.state, b.category_id,
           row_number() OVER w AS rank,
           SUM(CASE WHEN r.state IN ('pending', 'waitlisted') THEN r.places ELSE 0 END) OVER w AS needed
    FROM quotas_quotarequest r
    LEFT JOIN best b ON b.id = r.id
    WHERE r.quota_year_id = %(year)s AND r.state IN ('pending', 'waitlisted', 'allocated', 'settled')
    WINDOW w AS (PARTITION BY r.region_id ORDER BY COALESCE(b.rank, {NO_CATEGORY_RANK}), r.submitted_at, r.id)
), decided AS (
    SELECT o.id, o.region_id, o.rank, o.category_id,
           CASE WHEN o.needed <= q.places - q.used THEN 'allocated' ELSE 'waitlisted' END AS state
    FROM ordered o
    JOIN quotas_regionalquota q ON q.quota_year_id = %(year)s AND q.region_id = o.region_id
    WHERE o.state IN ('pending', 'waitlisted')
), positioned AS (
    SELECT id, state, rank, category_id,
           CASE WHEN state = 'waitlisted'
                THEN row_number() OVER (PARTITION BY region_id, state ORDER BY rank) END AS waitlist_position
    FROM decided
)
"""

# Read-only: what the job must decide (the figure the issue compares the job with).
ALLOCATION_SQL = DECIDED_CTE + "SELECT id, state, rank, waitlist_position, category_id FROM positioned"

# The same decision written by hand in one UPDATE (run in a transaction that is rolled back): the
# cost of the writes themselves, with the same triggers (audit, quota counter) and foreign keys.
ALLOCATION_UPDATE_SQL = (
    DECIDED_CTE
    + """
UPDATE quotas_quotarequest r
SET state = p.state, rank = p.rank, waitlist_position = p.waitlist_position, deciding_category_id = p.category_id,
    decided_by_run_id = %(run)s, decided_at = now()
FROM positioned p
WHERE r.id = p.id
"""
)

SCAFFOLD_TRIGGERS = (
    "oralman.Person:insert_insert", "oralman.Person:delete_delete",
    "oralman.Family:insert_insert", "oralman.Family:delete_delete",
)  # fmt: skip

GENERATE_SQL = """
DROP TABLE IF EXISTS bench_gen;

CREATE TEMP TABLE bench_gen AS
SELECT g AS n,
       (SELECT array_agg(id ORDER BY id) FROM core_region) AS regions,
       (SELECT array_agg(id ORDER BY id) FROM core_country WHERE iso2 IN ('UZ', 'CN', 'MN', 'TM', 'RU', 'TR')) AS countries
FROM generate_series(1, %(n)s) g;

INSERT INTO oralman_person (surname, given_name, patronymic, surname_latin, given_name_latin, patronymic_latin,
    birth_date, sex, country_of_origin_id, ethnicity, passport_number, education, profession, languages, phone,
    email, address, preferred_language, region_id, name_key, latin_key, created_at, updated_at)
SELECT 'Бенчмарков', 'Ерлан', '', 'Benchmarkov', 'Erlan', '', DATE '1980-01-01' + (n %% 9000), 'M',
       countries[1 + n %% array_length(countries, 1)], 'kazakh', 'BENCH' || %(tag)s || '-' || n, '', '', '{}', '',
       '', '', 'ru', regions[1 + n %% array_length(regions, 1)], 'benchmarkov erlan', 'benchmarkov erlan', now(), now()
FROM bench_gen;

INSERT INTO oralman_family (head_id, region_id, created_at)
SELECT p.id, p.region_id, now() FROM oralman_person p WHERE p.passport_number LIKE 'BENCH' || %(tag)s || '-%%';

INSERT INTO quotas_quotarequest (family_id, quota_year_id, region_id, members_count, places, submitted_at, state,
    close_reason, created_at)
SELECT f.id, %(year)s, f.region_id, 1 + (f.id * 7919) %% 6, 1 + (f.id * 7919) %% 6,
       TIMESTAMPTZ '2026-01-10 09:00+05' + ((f.id * 104729) %% 250000) * INTERVAL '1 minute', 'pending', '', now()
FROM oralman_family f JOIN oralman_person p ON p.id = f.head_id
WHERE p.passport_number LIKE 'BENCH' || %(tag)s || '-%%';

INSERT INTO quotas_quotarequest_categories (quotarequest_id, prioritycategory_id)
SELECT r.id, c.id FROM quotas_quotarequest r
JOIN quotas_prioritycategory c ON (r.id + c.rank * 13) %% 10 = 0
WHERE r.quota_year_id = %(year)s;

DROP TABLE bench_gen;
"""


def _bench_year(share_percent: int) -> QuotaYear:
    year_number = 9000 + (QuotaYear.objects.filter(year__gte=9000).count())
    while QuotaYear.objects.filter(year=year_number).exists():
        year_number += 1
    return QuotaYear.objects.create(
        year=year_number, unit="persons", national_total=1, is_open=True, oversize_rule="strict_order",
        act_title=f"benchmark ({share_percent}% of demand)",
    )  # fmt: skip


def generate(*, pending: int, share_percent: int = 20) -> QuotaYear:
    """An isolated open year with a share in every region and `pending` requests (1-6 persons each)."""
    from core.models import Region

    with transaction.atomic():
        year = _bench_year(share_percent)
        region_ids = list(Region.objects.order_by("pk").values_list("pk", flat=True))
        # Shares first (the composite key needs them); sized from the demand once it exists.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE quotas_quotayear SET national_total = %s WHERE id = %s", [MAX_QUOTA_PLACES, year.pk])
            cursor.executemany(
                "INSERT INTO quotas_regionalquota (quota_year_id, region_id, places, used) VALUES (%s, %s, 1, 0)",
                [(year.pk, rid) for rid in region_ids],
            )
            # Generated persons and families are scaffolding, not case files: no audit events for them.
            with pgtrigger.ignore(*SCAFFOLD_TRIGGERS):
                # Integers only, rendered in place: pgtrigger.ignore adds positional parameters.
                sql = GENERATE_SQL.replace("%(n)s", str(int(pending))).replace("%(year)s", str(int(year.pk)))
                for statement in sql.replace("%(tag)s", f"'{int(year.year)}'").split(";\n\n"):
                    cursor.execute(statement, [])
            cursor.execute(
                """UPDATE quotas_regionalquota q SET places = GREATEST(1, d.demand * %s / 100)
                   FROM (SELECT region_id, SUM(places) AS demand FROM quotas_quotarequest
                         WHERE quota_year_id = %s GROUP BY region_id) d
                   WHERE q.quota_year_id = %s AND q.region_id = d.region_id""",
                [share_percent, year.pk, year.pk],
            )
            cursor.execute(
                "UPDATE quotas_quotayear SET national_total = (SELECT SUM(places) FROM quotas_regionalquota "
                "WHERE quota_year_id = %s) WHERE id = %s",
                [year.pk, year.pk],
            )
    _vacuum()
    year.refresh_from_db()
    return year


def _timed(fn, repeat: int = 1) -> tuple[float, object]:
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def _sql_allocation(year_id: int) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(ALLOCATION_SQL, {"year": year_id})
        return cursor.fetchall()


def _vacuum() -> None:
    if connection.in_atomic_block:  # inside a test transaction: VACUUM cannot run there
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE quotas_quotarequest, quotas_quotarequestevent, quotas_regionalquota")


class _RolledBack(Exception):
    pass


def _sql_allocation_update(year_id: int, run_id: int) -> None:
    """The hand-written UPDATE, foreign keys checked at once, then rolled back (the job runs after)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(ALLOCATION_UPDATE_SQL, {"year": year_id, "run": run_id})
            raise _RolledBack
    except _RolledBack:
        pass


def _sql_allocation_floor(year_id: int, run_id: int) -> None:
    """The write floor: the same UPDATE with no triggers at all (no audit, no quota counter, no
    foreign-key checks: ``session_replication_role = replica``), then rolled back. What writing the
    row versions and their index entries costs by itself (issue 16)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(ALLOCATION_UPDATE_SQL, {"year": year_id, "run": run_id})
            raise _RolledBack
    except _RolledBack:
        pass


RESET_SQL = """
UPDATE quotas_quotarequest SET state = 'pending', rank = NULL, waitlist_position = NULL,
    deciding_category_id = NULL, decided_by_run_id = NULL, decided_at = NULL
WHERE quota_year_id = %(year)s
"""


def _sql_allocation_floor_committed(year_id: int, run_id: int) -> float:
    """The write floor committed (its WAL flushed, as each of the job's regional transactions is),
    then put back as generated, triggers off for both (the quota counter never saw either)."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(ALLOCATION_UPDATE_SQL, {"year": year_id, "run": run_id})
    seconds = time.perf_counter() - started
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(RESET_SQL, {"year": year_id})
    return seconds


def _report_sql(year_id: int) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(reports.QUOTA_USE_SQL, [year_id])
        return cursor.fetchall()


def cleanup(year: QuotaYear) -> None:
    tag = f"BENCH{year.year}-%"
    with transaction.atomic(), connection.cursor() as cursor, pgtrigger.ignore(*SCAFFOLD_TRIGGERS):
        cursor.execute(
            "DELETE FROM quotas_quotarequest_categories WHERE quotarequest_id IN "
            "(SELECT id FROM quotas_quotarequest WHERE quota_year_id = %s)",
            [year.pk],
        )
        cursor.execute("DELETE FROM quotas_quotarequest WHERE quota_year_id = %s", [year.pk])
        cursor.execute("DELETE FROM quotas_allocationrun WHERE quota_year_id = %s", [year.pk])
        cursor.execute("DELETE FROM quotas_regionalquota WHERE quota_year_id = %s", [year.pk])
        cursor.execute("DELETE FROM quotas_quotayear WHERE id = %s", [year.pk])
        cursor.execute(
            "DELETE FROM oralman_family WHERE head_id IN (SELECT id FROM oralman_person WHERE passport_number LIKE %s)",
            [tag],
        )
        cursor.execute("DELETE FROM oralman_person WHERE passport_number LIKE %s", [tag])


def run_allocation_benchmark(
    pending: int = 100_000, *, repeat: int = 3, share_percent: int = 20, keep: bool = False
) -> dict:
    """Generate, time the job against the SQL, check they agree, time the report; return the figures."""
    started = time.perf_counter()
    year = generate(pending=pending, share_percent=share_percent)
    generate_seconds = time.perf_counter() - started
    try:
        _sql_allocation(year.pk)  # warm the cache for both contestants
        sql_seconds, sql_rows = _timed(lambda: _sql_allocation(year.pk), repeat)
        run = AllocationRun.objects.create(
            quota_year=year, kind=AllocationRun.Kind.MANUAL, oversize_rule=year.oversize_rule
        )
        # Once, then VACUUM: a rolled-back UPDATE leaves dead row versions that would slow the job.
        sql_update_seconds, _ = _timed(lambda: _sql_allocation_update(year.pk, run.pk))
        _vacuum()
        floor_seconds, _ = _timed(lambda: _sql_allocation_floor(year.pk, run.pk))
        _vacuum()
        floor_committed_seconds = _sql_allocation_floor_committed(year.pk, run.pk)
        _vacuum()
        job_seconds, run = _timed(lambda: services.allocation_run_execute(run_id=run.pk))
        job_rows = QuotaRequest.objects.filter(quota_year=year).values_list(
            "pk", "state", "rank", "waitlist_position", "deciding_category_id"
        )
        agree = sorted(sql_rows) == sorted(job_rows)
        orm_report_seconds, orm_rows = _timed(lambda: reports.quota_use_by_region(quota_year_id=year.pk), repeat)
        raw_report_seconds, raw_rows = _timed(lambda: _report_sql(year.pk), repeat)
        report_agree = [tuple(r.values()) for r in orm_rows] == [tuple(r) for r in raw_rows]
        return {
            "pending": pending,
            "regions": year.shares.count(),
            "generated_in_s": round(generate_seconds, 3),
            "allocated": run.allocated,
            "waitlisted": run.waitlisted,
            "job_s": round(job_seconds, 3),
            "sql_s": round(sql_seconds, 3),
            "job_vs_sql": round(job_seconds / sql_seconds, 2),
            "sql_update_s": round(sql_update_seconds, 3),
            "job_vs_sql_update": round(job_seconds / sql_update_seconds, 2),
            "floor_s": round(floor_seconds, 3),
            "job_vs_floor": round(job_seconds / floor_seconds, 2),
            "floor_committed_s": round(floor_committed_seconds, 3),
            "job_vs_floor_committed": round(job_seconds / floor_committed_seconds, 2),
            "allocation_agrees": agree,
            "report_s": round(orm_report_seconds, 4),
            "report_sql_s": round(raw_report_seconds, 4),
            "report_vs_sql": round(orm_report_seconds / raw_report_seconds, 2),
            "report_agrees": report_agree,
            "measured_at": timezone.now().isoformat(timespec="seconds"),
        }
    finally:
        if not keep:
            cleanup(year)
