"""The benchmark run: make sure the data set is loaded, build the context, measure every item."""

from __future__ import annotations

import datetime
import re
import traceback

from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

from benchmarks import items as _items
from benchmarks.generate import GENERATOR_VERSION, Scale, active_generators, generate
from benchmarks.harness import measure
from benchmarks.items import ITEMS, BenchContext, Case, table_exists
from benchmarks.models import GeneratedDataSet
from core.models import Region, User
from core.roles import Role

DEFAULT_PERSONS = 20_000
SMOKE_PERSONS = 1_500
SMOKE_SMALL_PERSONS = 300  # the smoke's first size: query counts there and at SMOKE_PERSONS must be equal


def ensure_data_set(*, persons: int, seed: int, regenerate: bool, here: bool, log) -> dict:
    latest = GeneratedDataSet.objects.first()
    parts = ",".join(g.name for g in active_generators())
    matches = (
        latest is not None
        and latest.persons == persons
        and latest.seed == seed
        and latest.version == GENERATOR_VERSION
        and latest.parts == parts
    )
    if here:
        if latest is None:
            raise ValueError("No generated data set here: run generate_national_data first.")
        if not matches:
            log(f"Note: measuring the data set as loaded ({latest}), not --persons {persons:,}.")
    elif not regenerate and _can_add_parts(latest, persons=persons, seed=seed, parts=parts):
        missing = [name for name in parts.split(",") if name not in latest.parts.split(",")]
        log(f"Adding the parts generated since this data set was loaded: {', '.join(missing)}")
        generate(
            Scale(persons=latest.persons, families=latest.families, applications=latest.applications,
                  seed=latest.seed, today=latest.today),
            reset=True, log=log, only=missing,
        )  # fmt: skip
        latest = GeneratedDataSet.objects.first()
    elif regenerate or not matches:
        generate(Scale(persons=persons, seed=seed, today=datetime.date.today()), reset=True, log=log)
        latest = GeneratedDataSet.objects.first()
    else:
        log(f"Using the data set already loaded: {latest}")
    return {
        "persons": latest.persons,
        "families": latest.families,
        "applications": latest.applications,
        "seed": latest.seed,
        "today": latest.today.isoformat(),
        "version": latest.version,
        "parts": latest.parts,
        "rows": latest.rows,
        "load_seconds": latest.seconds,
        "load_rows_per_second": latest.rows_per_second,
    }


def _can_add_parts(latest, *, persons: int, seed: int, parts: str) -> bool:
    """The loaded data set lacks only parts that come after all of its own (a new app's generator)."""
    if latest is None or latest.persons != persons or latest.seed != seed or latest.version != GENERATOR_VERSION:
        return False
    have, want = latest.parts.split(","), parts.split(",")
    return len(want) > len(have) and want[: len(have)] == have


def _user(username: str, role: Role, **fields) -> User:
    user, _created = User.objects.get_or_create(username=username, defaults={"is_staff": True, **fields})
    for key, value in fields.items():
        setattr(user, key, value)
    user.is_staff = True
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


def build_context(*, smoke: bool) -> BenchContext:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT region_id FROM oralman_statusapplication GROUP BY region_id ORDER BY count(*) DESC, region_id LIMIT 1"
        )
        row = cursor.fetchone()
        region = Region.objects.get(pk=row[0]) if row else Region.objects.order_by("code").first()
        cursor.execute(
            "SELECT count(*) FROM oralman_statusapplication WHERE region_id = %s",
            [region.pk],
        )
        in_region = cursor.fetchone()[0]
        # A surname from the middle of the region's list: a realistic, not a degenerate, search.
        cursor.execute(
            """SELECT a.id, p.surname, p.surname_latin FROM oralman_statusapplication a
               JOIN oralman_person p ON p.id = a.applicant_id
               WHERE a.region_id = %s ORDER BY a.created_at DESC, a.id DESC OFFSET %s LIMIT 1""",
            [region.pk, max(0, min(1000, in_region // 2))],
        )
        sample = cursor.fetchone()
    caseworker = _user("bench_caseworker", Role.CASEWORKER, region=region)
    analyst = _user("bench_analyst", Role.MINISTRY_ANALYST)
    administrator = _user("bench_administrator", Role.ADMINISTRATOR, is_superuser=True)
    clerk = _user("bench_clerk", Role.CENTER_STAFF)
    users = {"caseworker": caseworker, "clerk": clerk, "analyst": analyst, "administrator": administrator}
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    client_caseworker, client_analyst = clients["caseworker"], clients["analyst"]
    return BenchContext(
        users=users,
        clients=clients,
        center_id=_clerk_center(clerk, region),
        verification_code=_issued_certificate(region, administrator),
        region=region,
        caseworker=caseworker,
        analyst=analyst,
        administrator=administrator,
        search_cyrillic=sample[1] if sample else "Нұрланов",
        search_latin=sample[2] if sample else "Nurlanov",
        application_id=sample[0] if sample else 0,
        client_caseworker=client_caseworker,
        client_analyst=client_analyst,
        smoke=smoke,
    )


def _clerk_center(clerk: User, region: Region) -> int | None:
    """The busiest center of the caseworker's region (most stays open now), staffed by the bench's clerk."""
    if not table_exists("adaptation_centers_center"):
        return None
    from adaptation_centers.models import CenterStaff

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.id FROM adaptation_centers_center c
                 LEFT JOIN adaptation_centers_placement p ON p.center_id = c.id AND p.checked_out_on IS NULL
                GROUP BY c.id ORDER BY (c.region_id = %s) DESC, count(p.id) DESC, c.id LIMIT 1""",
            [region.pk],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    CenterStaff.objects.get_or_create(center_id=row[0], user=clerk)
    return row[0]


def _issued_certificate(region: Region, actor: User) -> str:
    """The code of a printed kandas certificate of the region (printed once; the same code afterwards)."""
    try:
        from documents.models import IssuedDocument
        from documents.services import document_issue
        from oralman.models import KandasStatus
    except ImportError:
        return ""
    status = KandasStatus.objects.filter(application__region=region).order_by("pk").first()
    if status is None:
        return ""
    return document_issue(kind=IssuedDocument.Kind.KANDAS_CERTIFICATE, subject=status, language="ru", actor=actor).code


def run_items(*, repeat: int, smoke: bool, only: str, log, warmup: int = 2) -> list[dict]:
    _items.load_app_items()
    ctx = build_context(smoke=smoke)
    log(
        f"Caseworker region: {ctx.region.code}; search terms '{ctx.search_cyrillic}' / '{ctx.search_latin}'; "
        f"{repeat} runs per item"
    )
    results = []
    for factory in ITEMS:
        try:
            cases = factory(ctx)
        except Exception as exc:
            results.append({"name": factory.__name__, "error": repr(exc), "traceback": traceback.format_exc()})
            continue
        for case in cases:
            if only and not any(term.strip().lower() in case.name.lower() for term in only.split("|")):
                continue
            results.append(run_case(case, repeat=repeat, warmup=warmup, smoke=smoke, log=log))
    return results


def run_case(case: Case, *, repeat: int, warmup: int, smoke: bool, log) -> dict:
    record = {"name": case.name, "group": case.group, "note": case.note}
    if case.runner is not None and not case.missing:
        try:
            record.update(case.runner())
        except Exception as exc:
            record.update(error=repr(exc), traceback=traceback.format_exc())
            log(f"  ! {case.name}: {exc!r}")
            return record
        _judge(record, case, smoke)
        log(f"  {case.name}: {record.get('wall_ms_median')} ms vs SQL {record.get('bound_ms_median')} ms")
        return record
    if case.missing or case.action is None:
        record["missing"] = case.missing or "not available"
        log(f"  - {case.name}: missing ({record['missing']})")
        return record
    runs = max(1, round(repeat * case.repeat_scale))
    try:
        measured = measure(case.action, case.bound, repeat=runs, warmup=min(warmup, runs), check=case.check)
    except Exception as exc:
        record.update(error=repr(exc), traceback=traceback.format_exc())
        log(f"  ! {case.name}: {exc!r}")
        return record
    record.update(measured.summary())
    record.update(case.extra)
    _judge(record, case, smoke)
    log(
        f"  {case.name}: {record['queries']} queries, DB {record['db_ms_median']} ms vs SQL "
        f"{record['bound_ms_median']} ms, p95 {record['wall_ms_p95']} ms"
    )
    return record


def _judge(record: dict, case: Case, smoke: bool) -> None:
    if smoke:
        return
    targets = {}
    if case.target_ratio and record.get("db_ratio") is not None:
        targets["db_ratio"] = record["db_ratio"] <= case.target_ratio
    if case.target_p95_ms and record.get("wall_ms_p95") is not None:
        targets["p95"] = record["wall_ms_p95"] <= case.target_p95_ms
    record["targets"] = {"ratio": case.target_ratio, "p95_ms": case.target_p95_ms, "met": targets}


def item_key(name: str) -> str:
    """An item's name without what depends on the data set (search terms, sizes), to match the same
    item measured at another size."""
    return re.sub(r"\d[\d,]*", "N", re.sub(r"'[^']*'", "'…'", name))


ROW_TOLERANCE = 5


def is_row_page(name: str) -> bool:
    """Pages that show one row (or one center's desk): their queries follow that row's relations."""
    return " change page " in name or " one (" in name or name.startswith("page: center desk")


def pin_query_counts(results: list[dict], other: list[dict], *, other_label: str, larger: bool = True) -> list[str]:
    """Record each item's query count at the other size beside its own; returns the items whose count
    is larger at the larger size (queries growing with the data), which fail the bench. `larger`:
    `results` were measured on the larger data set. Fewer queries on more data (an exact count
    replaced by an estimate) is not growth."""
    by_key = {item_key(r["name"]): r for r in other}
    grown = []
    for record in results:
        if record.get("group") == "job":  # a job's size differs by design (the smoke's list is shorter)
            continue
        before = by_key.get(item_key(record["name"]))
        if before is None or record.get("pinned_queries") is None or before.get("pinned_queries") is None:
            continue
        record["queries_other"] = before.get("queries")
        record["pinned_queries_other"] = before["pinned_queries"]
        record["other_size"] = other_label
        mine, theirs = record["pinned_queries"], before["pinned_queries"]
        small, large = (theirs, mine) if larger else (mine, theirs)
        # A change page or an API object shows a different row at each size: a row with an optional
        # relation set, or a larger family, makes a few more queries. A query per row of a table shows
        # as hundreds; up to ROW_TOLERANCE is the row, not the data size.
        tolerance = ROW_TOLERANCE if is_row_page(record["name"]) else 0
        if large - small > tolerance:
            record["queries_grow"] = True
            grown.append(f"{record['name']} ({before['pinned_queries']} → {record['pinned_queries']})")
    return grown


def _fmt(value, suffix="") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}{suffix}" if value >= 10 else f"{value:,.2f}{suffix}"
    return f"{value:,}{suffix}"


def table(report: dict) -> str:
    data_set = report["data_set"]
    lines = [
        f"Data set: {data_set['persons']:,} persons, {data_set['applications']:,} applications, seed "
        f"{data_set['seed']} — loaded {sum(data_set['rows'].values()):,} rows in {data_set['load_seconds']:.1f} s "
        f"({data_set['load_rows_per_second']:,.0f} rows/s)",
        "",
    ]
    other = next((r.get("other_size") for r in report["items"] if r.get("other_size")), None)
    header = [
        "item",
        f"queries at {other}" if other else "",
        "queries",
        "DB ms",
        "data DB ms",
        "SQL ms",
        "DB/SQL",
        "data/SQL",
        "median ms",
        "p95 ms",
        "targets",
    ]
    rows = []
    for r in report["items"]:
        if r.get("missing") or r.get("error"):
            rows.append([r["name"], "", "", "", "", "", "", "", "", "", "missing" if r.get("missing") else "ERROR"])
            continue
        met = r.get("targets", {}).get("met", {})
        verdict = (
            "" if not met else ("ok" if all(met.values()) else "MISSED " + ",".join(k for k, v in met.items() if not v))
        )
        if r.get("queries_grow"):
            verdict = (verdict + " QUERIES GROW").strip()
        rows.append(
            [
                r["name"],
                _fmt(r.get("queries_other")) if other else "",
                _fmt(r.get("queries")),
                _fmt(r.get("db_ms_median")),
                _fmt(r.get("data_db_ms_median")),
                _fmt(r.get("bound_ms_median")),
                _fmt(r.get("db_ratio"), "x"),
                _fmt(r.get("data_db_ratio"), "x"),
                _fmt(r.get("wall_ms_median")),
                _fmt(r.get("wall_ms_p95")),
                verdict,
            ]
        )
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    fmt = lambda row: "  ".join(  # noqa: E731
        str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=False))
    )
    lines.append(fmt(header))
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(fmt(row) for row in rows)
    return "\n".join(lines)
