"""What `manage.py bench` measures, each beside its lower bound: the hand-written SQL that fetches
the same data (the rows the page shows, joined, plus the count it prints).

Items are registered per app, like the generators; an item whose app, URL or function does not
exist yet is reported as "missing" instead of failing the run.

The bound of a list page is: the page's rows in one query (the displayed columns, joined, in the
page's order, LIMIT page size) plus an exact COUNT(*) with the same WHERE; for a list over a whole
table without a WHERE, the count is pg_class.reltuples (what a person who knows PostgreSQL writes
for "about 300,000 applications").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from core.models import Region, User
from core.translit import name_key


@dataclass
class Case:
    name: str
    group: str  # "admin", "api", "report", "job"
    action: Callable[[], object] | None
    bound: list[tuple[str, list]] | None
    target_ratio: float | None = 1.5
    target_p95_ms: float | None = 300
    note: str = ""
    check: Callable[[object], None] | None = None
    missing: str = ""
    repeat_scale: float = 1.0  # jobs run fewer times than pages
    runner: Callable[[], dict] | None = None  # a job measured once by its own code, returning the record
    extra: dict = field(default_factory=dict)


@dataclass
class BenchContext:
    region: Region
    caseworker: User
    analyst: User
    administrator: User
    search_cyrillic: str
    search_latin: str
    application_id: int
    client_caseworker: Client
    client_analyst: Client
    smoke: bool = False
    # Every role's user and logged-in client: "caseworker", "clerk" (center staff), "analyst", "administrator".
    users: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    center_id: int | None = None  # the clerk's center (the busiest of the caseworker's region)
    verification_code: str = ""  # an issued certificate's code, for the public verification page


ITEMS: list[Callable[[BenchContext], list[Case]]] = []


def item(func):
    ITEMS.append(func)
    return func


def ok_response(response) -> None:
    if response.status_code != 200:
        raise AssertionError(f"{response.request.get('PATH_INFO')} answered {response.status_code}")


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- The status applications: admin changelist ---------------------------------------------------

ADMIN_PAGE = 50  # ScopedAdmin.list_per_page
ADMIN_COLUMNS = """a.id, a.state, a.channel, a.submitted_on, a.decision_due, a.created_at,
       p.id, p.surname, p.given_name, p.patronymic, r.id, r.name_ru"""
ADMIN_FROM = """oralman_statusapplication a
  JOIN oralman_person p ON p.id = a.applicant_id
  JOIN core_region r ON r.id = a.region_id"""


# The admin's search fields: four names (icontains = UPPER(x) LIKE UPPER('%term%')) and three numbers
# (iexact); the IIN only when the term could be one (12 digits), as a person writing SQL would.
def search_where(term: str) -> str:
    iin = " OR iin = %(term)s" if term.isascii() and term.isdigit() and len(term) == 12 else ""
    return f"""a.id IN (
         SELECT a2.id FROM oralman_statusapplication a2
          WHERE a2.applicant_id IN (
                SELECT id FROM oralman_person
                 WHERE UPPER(surname) LIKE UPPER(%(like)s) OR UPPER(given_name) LIKE UPPER(%(like)s)
                    OR UPPER(surname_latin) LIKE UPPER(%(like)s) OR UPPER(given_name_latin) LIKE UPPER(%(like)s)
                    OR UPPER(passport_number) = UPPER(%(term)s){iin})
         UNION
         SELECT application_id FROM oralman_kandasstatus WHERE UPPER(certificate_number) = UPPER(%(term)s))"""


# The changelist's filter sidebar shows these lists, so the same data includes them.
COUNTRY_CHOICES = ("SELECT id, name_ru FROM core_country ORDER BY name_ru", {})
REGION_CHOICES = ("SELECT id, name_ru FROM core_region ORDER BY name_ru", {})


# The admin list's order (oralman.models.APPLICATION_QUEUE_ORDER): with the department, waiting for
# the applicant, decided; each by deadline. The API lists newest first.
ADMIN_ORDER = """CASE WHEN a.state IN ('submitted', 'under_review', 'commission') THEN 0
                      WHEN a.state IN ('draft', 'returned') THEN 1 ELSE 2 END, a.decision_due NULLS LAST, a.id DESC"""
NEWEST_ORDER = "a.created_at DESC, a.id DESC"


def list_bound(
    *,
    columns: str,
    where: str,
    params: dict,
    page: int,
    whole_table: str | None = None,
    sidebar=(),
    order: str = NEWEST_ORDER,
) -> list[tuple[str, list]]:
    page_sql = f"SELECT {columns} FROM {ADMIN_FROM} WHERE {where} ORDER BY {order} LIMIT {page}"
    if whole_table:
        count = ("SELECT reltuples::bigint FROM pg_class WHERE oid = %(table)s::regclass", {"table": whole_table})
    else:
        count = (f"SELECT count(*) FROM oralman_statusapplication a WHERE {where}", params)
    return [*sidebar, (page_sql, params), count]


@item
def admin_application_list(ctx: BenchContext) -> list[Case]:
    url = _url("admin:oralman_statusapplication_changelist")
    if url is None:
        return [Case("admin: application list", "admin", None, None, missing="no admin changelist URL")]
    cw, an = ctx.client_caseworker, ctx.client_analyst
    region = {"region": ctx.region.pk}
    in_region = "a.region_id = %(region)s"
    cases = [
        Case(
            "admin: applications, first page (caseworker, own region)",
            "admin",
            lambda: cw.get(url),
            list_bound(
                order=ADMIN_ORDER,
                columns=ADMIN_COLUMNS,
                where=in_region,
                params=region,
                page=ADMIN_PAGE,
                sidebar=[COUNTRY_CHOICES],
            ),
            check=ok_response,
        ),
        Case(
            "admin: applications, filter state = under review (caseworker)",
            "admin",
            lambda: cw.get(url, {"state__exact": "under_review"}),
            list_bound(
                order=ADMIN_ORDER,
                columns=ADMIN_COLUMNS,
                where=f"{in_region} AND a.state = %(state)s",
                params={**region, "state": "under_review"},
                page=ADMIN_PAGE,
                sidebar=[COUNTRY_CHOICES],
            ),
            check=ok_response,
        ),
        Case(
            "admin: applications, filter overdue (caseworker)",
            "admin",
            lambda: cw.get(url, {"deadline": "overdue"}),
            list_bound(
                order=ADMIN_ORDER,
                columns=ADMIN_COLUMNS,
                where=f"{in_region} AND a.state IN ('submitted', 'under_review') AND a.decision_due < CURRENT_DATE",
                params=region,
                page=ADMIN_PAGE,
                sidebar=[COUNTRY_CHOICES],
            ),
            check=ok_response,
        ),
    ]
    for label, term in (("Cyrillic", ctx.search_cyrillic), ("Latin", ctx.search_latin)):
        params = {**region, "term": term, "like": f"%{term}%"}
        cases.append(
            Case(
                f"admin: applications, search {label} '{term}' (caseworker)",
                "admin",
                lambda term=term: cw.get(url, {"q": term}),
                list_bound(
                    order=ADMIN_ORDER,
                    columns=ADMIN_COLUMNS,
                    where=f"{in_region} AND {search_where(term)}",
                    params=params,
                    page=ADMIN_PAGE,
                    sidebar=[COUNTRY_CHOICES],
                ),
                check=ok_response,
            )
        )
    # Two letters (a name typed so far): too short for trigrams, matched as a prefix of the name key
    # through its C-collation index (oralman.matching); the bound asks the same of the persons.
    short = ctx.search_cyrillic[:2]
    cases.append(
        Case(
            f"admin: applications, search two letters '{short}' (caseworker)",
            "admin",
            lambda: cw.get(url, {"q": short}),
            list_bound(
                order=ADMIN_ORDER,
                columns=ADMIN_COLUMNS,
                where=f"""{in_region} AND a.applicant_id IN (
                    SELECT id FROM oralman_person WHERE region_id = %(region)s AND merged_into_id IS NULL
                       AND (name_key COLLATE "C") LIKE %(prefix)s)""",
                params={**region, "prefix": f"{name_key(short)}%"},
                page=ADMIN_PAGE,
                sidebar=[COUNTRY_CHOICES],
            ),
            check=ok_response,
        )
    )
    cases.append(
        Case(
            "admin: applications, first page (analyst, whole country)",
            "admin",
            lambda: an.get(url),
            list_bound(
                order=ADMIN_ORDER,
                columns=ADMIN_COLUMNS,
                where="TRUE",
                params={},
                page=ADMIN_PAGE,
                whole_table="oralman_statusapplication",
                sidebar=[REGION_CHOICES, COUNTRY_CHOICES],
            ),
            check=ok_response,
        )
    )
    return cases


# --- The status applications: API -------------------------------------------------------------

API_PAGE = 50
API_COLUMNS = """a.id, a.applicant_id, a.family_id, a.region_id, a.channel, a.state, a.submitted_on,
       a.clock_started_on, a.decision_due, a.decided_on, a.refusal_ground_id, a.created_at,
       p.surname, p.given_name, p.patronymic"""


@item
def api_applications(ctx: BenchContext) -> list[Case]:
    url = _url("status-application-list")
    if url is None:
        return [Case("api: application list", "api", None, None, missing="no status-application-list URL")]
    detail = _url("status-application-detail", ctx.application_id)
    cw, an = ctx.client_caseworker, ctx.client_analyst
    region = {"region": ctx.region.pk}
    return [
        Case(
            "api: applications, first page (caseworker)",
            "api",
            lambda: cw.get(url),
            list_bound(columns=API_COLUMNS, where="a.region_id = %(region)s", params=region, page=API_PAGE),
            check=ok_response,
        ),
        Case(
            "api: applications, first page (analyst, whole country)",
            "api",
            lambda: an.get(url),
            list_bound(
                columns=API_COLUMNS, where="TRUE", params={}, page=API_PAGE, whole_table="oralman_statusapplication"
            ),
            check=ok_response,
        ),
        Case(
            "api: one application (caseworker)",
            "api",
            lambda: cw.get(detail),
            [
                (
                    f"SELECT {API_COLUMNS} FROM {ADMIN_FROM} WHERE a.id = %(id)s AND a.region_id = %(region)s",
                    {**region, "id": ctx.application_id},
                ),
                (
                    "SELECT id, from_state, to_state, actor_id, at, reason FROM oralman_applicationtransition "
                    "WHERE application_id = %(id)s ORDER BY at, id",
                    {"id": ctx.application_id},
                ),
            ],
            check=ok_response,
        ),
    ]


def table_exists(name: str) -> bool:
    return name in connection.introspection.table_names()


# --- Ministry reports (core.reports registry; each app's reports.py registers its own) -----------

# Hand-written SQL per report slug, added as the apps land: {slug: callable(ctx) -> [(sql, params)]}.
REPORT_BOUNDS: dict[str, Callable[[BenchContext], list[tuple[str, dict]]]] = {}


@item
def ministry_reports(ctx: BenchContext) -> list[Case]:
    from core.reports import REPORTS

    cases = []
    for slug, report in sorted(REPORTS.items()):
        form = report.params_form()
        params = {key: f.initial for key, f in form.fields.items()}
        bound = REPORT_BOUNDS.get(slug)
        cases.append(
            Case(
                f"report: {slug}",
                "report",
                lambda report=report, params=params: list(report.rows(user=ctx.analyst, params=params)),
                bound(ctx) if bound else None,
                target_p95_ms=None,
                note="" if bound else "no hand-written bound yet (measured for time and queries only)",
            )
        )
    if not cases:
        cases.append(Case("report: (none registered yet)", "report", None, None, missing="no reports registered"))
    return cases


def load_app_items() -> None:
    """Import the item modules of the apps that exist (each registers with @item)."""
    from importlib import import_module

    for module in (
        "benchmarks.items_quotas",
        "benchmarks.items_reports",
        "benchmarks.items_matching",
        "benchmarks.items_pages",
        "benchmarks.items_perf",
    ):
        try:
            import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
