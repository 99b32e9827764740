"""Every page a user opens, as the role that opens it (issue 16).

Discovered, not listed, so that a new ModelAdmin, API resource or report is measured without
touching the bench:
- the admin's home page of each role (caseworker, center clerk, ministry analyst, administrator) and
  the reports index;
- every ModelAdmin of `admin.site`: its changelist (first page) as each of the caseworker, the clerk
  and the analyst who may view it (the administrator when none may), and the change page of a
  representative row (the middle one by id of what the first of those roles that sees a row sees);
- the center desk as its clerk;
- every report of `core.reports` as a page (`/admin/reports/<slug>/`, default parameters) as the
  first role allowed to open it;
- every resource of the API routers: list, one object (the middle of the first page) and a search
  (when the resource has `search_fields`), as the first role the list answers;
- the public verification page of an issued certificate, anonymous.

These items have no hand-written SQL bound (their database time is reported; the bounds exist for
the application lists, the API applications, the person searches and the reports). The items the
older modules already measure with a bound are not repeated here (COVERED).
"""

from __future__ import annotations

from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from benchmarks.items import BenchContext, Case, _url, item, ok_response

ROLES = ("caseworker", "clerk", "analyst", "administrator")
# (model label, role) already measured with a bound by benchmarks.items / items_matching.
COVERED_ADMIN_LISTS = {("oralman.statusapplication", "caseworker"), ("oralman.statusapplication", "analyst")}
COVERED_API = {("status-application", "list"), ("status-application", "detail")}


def _get(client: Client, url: str, params: dict | None = None):
    return lambda: client.get(url, params or {})


def _role_request(ctx: BenchContext, role: str, url: str):
    request = RequestFactory().get(url)
    request.user = ctx.users[role]
    return request


def representative_pk(queryset):
    """The middle row by id of what the role sees: neither the first nor the last row entered."""
    ids = queryset.order_by("pk").values_list("pk", flat=True)
    count = ids.count()
    return ids[count // 2] if count else None


@item
def home_pages(ctx: BenchContext) -> list[Case]:
    url = _url("admin:index")
    cases = [
        Case(
            f"page: admin home ({role})",
            "page",
            _get(ctx.clients[role], url),
            None,
            target_ratio=None,
            check=ok_response,
        )
        for role in ROLES
    ]
    reports = _url("reports:index")
    if reports:
        cases.append(
            Case("page: reports index (analyst)", "page", _get(ctx.clients["analyst"], reports), None,
                 target_ratio=None, check=ok_response)
        )  # fmt: skip
    return cases


@item
def admin_pages(ctx: BenchContext) -> list[Case]:
    from django.contrib import admin

    cases = []
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label_lower):
        label = model._meta.label_lower
        info = (model._meta.app_label, model._meta.model_name)
        list_url = _url("admin:{}_{}_changelist".format(*info))
        if list_url is None:
            continue
        roles = [
            role
            for role in ROLES[:3]
            if model_admin.has_view_or_change_permission(_role_request(ctx, role, list_url))
            and model_admin.has_module_permission(_role_request(ctx, role, list_url))
        ] or ["administrator"]
        for role in roles:
            if (label, role) in COVERED_ADMIN_LISTS:
                continue
            cases.append(
                Case(f"admin: {label} list ({role})", "admin", _get(ctx.clients[role], list_url), None,
                     target_ratio=None, check=ok_response)
            )  # fmt: skip
        # The change page as the first of those roles that sees a row (a caseworker of a region
        # outside the quota has no quota requests; the analyst then opens one).
        role, pk = roles[0], None
        try:
            for candidate in [*roles, "administrator"]:
                pk = representative_pk(model_admin.get_queryset(_role_request(ctx, candidate, list_url)))
                if pk is not None:
                    role = candidate
                    break
        except Exception as exc:
            cases.append(Case(f"admin: {label} change page ({role})", "admin", None, None, missing=repr(exc)))
            continue
        change_url = _url("admin:{}_{}_change".format(*info), pk) if pk is not None else None
        if change_url is None:
            cases.append(
                Case(f"admin: {label} change page ({role})", "admin", None, None, missing="no row for this role")
            )
            continue
        cases.append(
            Case(f"admin: {label} change page ({role})", "admin", _get(ctx.clients[role], change_url), None,
                 target_ratio=None, check=ok_response)
        )  # fmt: skip
    return cases


@item
def center_desk(ctx: BenchContext) -> list[Case]:
    url = _url("admin:adaptation_centers_center_desk", ctx.center_id) if ctx.center_id else None
    if url is None:
        return [Case("page: center desk (clerk)", "page", None, None, missing="no center or no desk URL")]
    return [Case("page: center desk (clerk)", "page", _get(ctx.clients["clerk"], url), None, target_ratio=None,
                 check=ok_response)]  # fmt: skip


@item
def report_pages(ctx: BenchContext) -> list[Case]:
    from core.reports import REPORTS

    cases = []
    for slug, report in sorted(REPORTS.items()):
        role = next((r for r in ROLES if report.allowed(ctx.users[r])), None)
        url = _url("reports:page", slug)
        if role is None or url is None:
            cases.append(Case(f"page: report {slug}", "report", None, None, missing="no role may open it"))
            continue
        cases.append(
            Case(f"page: report {slug} ({role})", "report", _get(ctx.clients[role], url), None, target_ratio=None,
                 check=ok_response)
        )  # fmt: skip
    return cases


def api_resources() -> list[tuple[str, type]]:
    """(basename, viewset class) of every router resource under the API, in URL order."""
    found: dict[str, type] = {}

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and (pattern.name or "").endswith("-list"):
                cls = getattr(pattern.callback, "cls", None)
                if cls is not None and getattr(pattern.callback, "actions", None):
                    found.setdefault(pattern.name[: -len("-list")], cls)

    walk(get_resolver().url_patterns)
    return sorted(found.items())


def _results(response) -> list:
    data = response.json()
    return data.get("results", []) if isinstance(data, dict) else data


@item
def api_pages(ctx: BenchContext) -> list[Case]:
    cases = []
    for basename, viewset in api_resources():
        list_url = _url(f"{basename}-list")
        role = None
        for candidate in ROLES:
            probe = ctx.clients[candidate].get(list_url)
            if probe.status_code == 200:
                role = candidate
                break
        if role is None:
            cases.append(Case(f"api: {basename} list", "api", None, None, missing="no role may list it"))
            continue
        client = ctx.clients[role]
        if (basename, "list") not in COVERED_API:
            cases.append(
                Case(f"api: {basename} list ({role})", "api", _get(client, list_url), None, target_ratio=None,
                     check=ok_response)
            )  # fmt: skip
        rows = _results(probe)
        lookup = getattr(viewset, "lookup_field", "pk")
        key = rows[len(rows) // 2].get(lookup if lookup != "pk" else "id") if rows else None
        detail_url = _url(f"{basename}-detail", key) if key is not None else None
        if (basename, "detail") in COVERED_API:
            pass
        elif detail_url is None:
            cases.append(Case(f"api: {basename} one ({role})", "api", None, None, missing="no row or no detail URL"))
        else:
            cases.append(
                Case(f"api: {basename} one ({role})", "api", _get(client, detail_url), None, target_ratio=None,
                     check=ok_response)
            )  # fmt: skip
        if getattr(viewset, "search_fields", None):
            cases.append(
                Case(f"api: {basename} search '{ctx.search_cyrillic}' ({role})", "api",
                     _get(client, list_url, {"search": ctx.search_cyrillic}), None, target_ratio=None,
                     check=ok_response)
            )  # fmt: skip
    return cases


@item
def public_verification(ctx: BenchContext) -> list[Case]:
    if not ctx.verification_code:
        return [Case("page: public verification", "page", None, None, missing="no issued document")]
    url = _url("documents:verify", ctx.verification_code)
    return [Case("page: public verification (anonymous)", "page", _get(Client(), url), None, target_ratio=None,
                 check=ok_response)]  # fmt: skip
