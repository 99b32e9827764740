"""The permission matrix: every endpoint × every role × a row inside and outside the role's scope.

Endpoints are discovered, not listed: every pattern of the URL configuration (the admin site with
each registered model's changelist/add/change/delete/history and custom views, the DRF routers with
their custom actions, the reports, the public pages), one endpoint per HTTP method a view answers,
plus every bulk action each ModelAdmin offers. ``EXPECTED`` is the one declared table: a pattern
(fnmatch, first match wins) -> the roles allowed, written as five letters in the order
anonymous, caseworker, center staff, analyst, administrator ("A", "C", "S", "N", "D"; "-" = denied),
e.g. ``"-C-ND"``. An endpoint that works on one row is also tried on a row outside the scope: the
expected roles there are the in-scope ones that see the whole country (``"---ND"``), unless the
entry gives a pair ``(inside, outside)``. An endpoint nobody classified fails the test.

"Allowed" means the permission layer let the request through: any answer but 401/403/404/405, a
redirect to the login page, or (for a row) the admin's "does not exist" redirect to its index. POST
bodies are empty (or name one row for bulk actions): a 400 from validation is an allowed request.
"""

from __future__ import annotations

import datetime
import fnmatch
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

ROLES = ("anonymous", "caseworker", "center_staff", "analyst", "administrator")
LETTERS = "ACSND"
ALL_STAFF = "-CSND"
NOBODY = "-----"
ADMIN_ONLY = "----D"
WHOLE_COUNTRY = "---ND"


@dataclass(frozen=True)
class Skip:
    """Discovered, classified, and not requested (with the reason)."""

    reason: str


def model_admin(label: str, *, view: str, add: str, change: str, delete: str, out: str | None = None) -> dict:
    """The entries of one ModelAdmin's standard pages. `out` overrides the out-of-scope roles."""

    def pair(mask):
        return (mask, _intersect(mask, out)) if out else mask

    return {
        f"admin:{label}_changelist GET": view,
        f"admin:{label}_add *": add,
        f"admin:{label}_change GET": pair(view),
        f"admin:{label}_change POST": pair(change),
        f"admin:{label}_delete *": pair(delete),
        f"admin:{label}_history GET": pair(view),
    }


def _intersect(a: str, b: str) -> str:
    return "".join(x if x != "-" and y != "-" else "-" for x, y in zip(a, b, strict=True))


def reference(label: str, readers: str) -> dict:
    """Reference data: `readers` read it, only administrators change it."""
    return model_admin(label, view=readers, add=ADMIN_ONLY, change=ADMIN_ONLY, delete=ADMIN_ONLY)


# fmt: off
EXPECTED: dict[str, str | tuple[str, str] | Skip] = {
    # --- Redirects and duplicates with no view of their own ---------------------------------------
    "route: *": Skip("an unnamed redirect or catch-all (the admin's object shortcut, its final catch-all, /)"),

    # --- Public pages -------------------------------------------------------------------------------
    "healthz GET": "ACSND",
    "documents:verify GET": "ACSND",
    "documents:enter GET": "ACSND",  # the form to type a code (it opens documents:verify)
    "token-login POST": "ACSND",  # the API's sign-in (an empty body: 400)
    "token-logout POST": NOBODY,  # only an API token signs itself out (a session gets 401)
    # The second factor's pages: anonymous users are sent to the login page.
    "otp-enrol *": ALL_STAFF,
    "otp-verify *": ALL_STAFF,
    # Uploaded files: whoever may view the record (an out-of-scope row: 404, like a missing one).
    "private_file GET": "-C-ND",
    "view_on_site *": NOBODY,  # the admin's "view on site" (no model has a public URL)
    "set_language *": "ACSND",
    "admin:login *": "ACSND",
    "admin:logout GET": "A----",  # POST only (Django 5): 405 when signed in; anonymous: sent to the index
    "admin:logout POST": "ACSND",
    "admin:jsi18n GET": ALL_STAFF,
    "schema GET": ALL_STAFF,
    "api-docs GET": ALL_STAFF,
    "api-redoc GET": ALL_STAFF,

    # --- The admin site itself ----------------------------------------------------------------------
    "admin:index GET": ALL_STAFF,
    "home GET": ALL_STAFF,  # each role's home page (core.home) at /admin/
    "app_list GET": ALL_STAFF,  # the stock index, kept at /admin/apps/
    "admin:app_list GET": ALL_STAFF,  # /admin/oralman/: every role reads some of the case file
    "admin:password_change *": ALL_STAFF,
    "admin:password_change_done GET": ALL_STAFF,
    "admin:autocomplete GET": ALL_STAFF,  # applicants for a status application: the person list
    "admin:view_on_site GET": NOBODY,  # no model has a public URL
    "admin:auth_user_password_change *": ADMIN_ONLY,

    # --- Reports (their own roles; the analyst and administrator always) ----------------------------
    "reports:index GET": ALL_STAFF,
    "reports:page GET": "--SND",  # centers-occupancy: center staff too
    "reports:export *": "--SND",
    "report-list GET": ALL_STAFF,
    "report-detail GET": "--SND",
    "report-export-create POST": "--SND",
    "report-export-detail GET": (ALL_STAFF, NOBODY),  # one's own export only

    # --- Users, groups, tokens, periodic jobs, the audit log: administrators ------------------------
    **model_admin("core_user", view="---ND", add=ADMIN_ONLY, change=ADMIN_ONLY, delete=ADMIN_ONLY),
    **model_admin("auth_group", view=ADMIN_ONLY, add=ADMIN_ONLY, change=ADMIN_ONLY, delete=ADMIN_ONLY),
    **model_admin("core_apitoken", view=ADMIN_ONLY, add=ADMIN_ONLY, change=NOBODY, delete=ADMIN_ONLY),
    **model_admin("otp_totp_totpdevice", view=ADMIN_ONLY, add=ADMIN_ONLY, change=ADMIN_ONLY, delete=ADMIN_ONLY),
    # OTP_ADMIN_HIDE_SENSITIVE_DATA: nobody reads another user's TOTP secret or QR code.
    "admin:otp_totp_totpdevice_config *": NOBODY,
    "admin:otp_totp_totpdevice_qrcode *": NOBODY,
    "admin:axes_*_add *": NOBODY,  # django-axes' log is written by the lock-out only
    "admin:axes_* GET": ADMIN_ONLY,
    "admin:axes_* POST": ADMIN_ONLY,
    # The read log and its alerts: read by analysts and administrators, written by nobody.
    **model_admin("audit_readlogentry", view=WHOLE_COUNTRY, add=NOBODY, change=NOBODY, delete=NOBODY),
    **model_admin("audit_readalert", view=WHOLE_COUNTRY, add=NOBODY, change=NOBODY, delete=NOBODY),
    **model_admin("pghistory_middlewareevents", view=ADMIN_ONLY, add=NOBODY, change=NOBODY, delete=NOBODY),
    "admin:django_celery_beat_* GET": ADMIN_ONLY,
    "admin:django_celery_beat_* POST": ADMIN_ONLY,
    # Exports: the changelist lists one's own; a row is readable by whom asked for it (and admins).
    **model_admin("core_reportexport", view="-C-ND", add=NOBODY, change=NOBODY, delete=ADMIN_ONLY,
                  out="----D"),

    # --- Reference data ------------------------------------------------------------------------------
    **reference("core_region", ALL_STAFF),
    **reference("core_country", ALL_STAFF),
    **reference("oralman_statusrule", "-C-ND"),
    **reference("oralman_statusrequireddocument", "-C-ND"),
    **reference("core_calendaroverride", ADMIN_ONLY),  # decrees' days off: administrators only
    **reference("oralman_refusalground", "-C-ND"),
    **reference("adaptation_centers_servicekind", ALL_STAFF),
    **reference("quotas_prioritycategory", "-C-ND"),
    **reference("quotas_mcivalue", "-C-ND"),
    **reference("quotas_benefitrates", "-C-ND"),
    **reference("citizenship_citizenshiprule", "-C-ND"),
    **reference("citizenship_requireddocument", "-C-ND"),
    **reference("citizenship_citizenshiprefusalground", "-C-ND"),
    **reference("citizenship_historicaladmission", "-C-ND"),
    **model_admin("notifications_notificationtemplate", view=ADMIN_ONLY, add=ADMIN_ONLY, change=ADMIN_ONLY,
                  delete=ADMIN_ONLY),
    **model_admin("quotas_quotayear", view="-C-ND", add=ADMIN_ONLY, change=ADMIN_ONLY, delete=ADMIN_ONLY),

    # --- The case file (oralman): caseworkers write their region; center staff read their residents --
    **model_admin("oralman_person", view=ALL_STAFF, add="-C--D", change="-C--D", delete=ADMIN_ONLY),
    **model_admin("oralman_family", view=ALL_STAFF, add="-C--D", change="-C--D", delete=ADMIN_ONLY),
    **model_admin("oralman_document", view="-C-ND", add="-C--D", change="-C--D", delete=ADMIN_ONLY),
    **model_admin("oralman_statusapplication", view="-C-ND", add="-C--D", change="-C--D", delete=ADMIN_ONLY),
    **model_admin("oralman_kandasstatus", view="-C-ND", add=NOBODY, change="-C--D", delete=ADMIN_ONLY),
    **model_admin("oralman_duplicateflag", view="-C-ND", add=NOBODY, change="-C--D", delete=ADMIN_ONLY),
    "admin:oralman_statusapplication_transition *": "-C--D",
    # The case file: read by who reads applications (not center staff); its actions by the region.
    "admin:oralman_family_casefile GET": "-C-ND",
    "admin:oralman_family_casefile POST": "-C--D",  # a note
    "admin:oralman_person_casefile GET": "-C-ND",
    "admin:oralman_person_casefile POST": NOBODY,
    "admin:oralman_family_file_status GET": NOBODY,
    "admin:oralman_family_file_status POST": "-C--D",
    "admin:oralman_family_assign GET": NOBODY,
    "admin:oralman_family_assign POST": "-C--D",
    "admin:oralman_family_transfer GET": NOBODY,
    "admin:oralman_family_transfer POST": "-C--D",
    "action:oralman_family.assign_to_me": "-C--D",
    # Duplicates: compared by who reads the case file; merged (and unmerged) by the region's caseworker.
    "admin:oralman_duplicateflag_compare GET": "-C-ND",
    "admin:oralman_duplicateflag_compare POST": "-C--D",
    **model_admin("oralman_personmerge", view="-C-ND", add=NOBODY, change=NOBODY, delete=NOBODY),
    "admin:oralman_personmerge_undo GET": "-C-ND",  # redirects back to the merge
    "admin:oralman_personmerge_undo POST": "-C--D",
    # Arrival-list imports: the region's caseworkers upload and confirm; analysts read.
    # An upload is never edited; its page shows the outcome and the confirm button.
    **model_admin("oralman_importbatch", view="-C-ND", add="-C--D", change=NOBODY, delete=NOBODY),
    "admin:oralman_importbatch_template *": ("-C-ND", "-C-ND"),  # the blank template: no row of anyone's
    "admin:oralman_importbatch_confirm GET": "-C-ND",  # redirects back to the batch
    "admin:oralman_importbatch_confirm POST": "-C--D",
    **model_admin("oralman_importrow", view="-C-ND", add=NOBODY, change=NOBODY, delete=NOBODY),
    "admin:oralman_kandasstatus_transition *": "-C--D",

    # --- Centers: center staff work their center's desk; caseworkers read (and see every center) -----
    **model_admin("adaptation_centers_center", view=ALL_STAFF, add=ADMIN_ONLY, change=ADMIN_ONLY,
                  delete=ADMIN_ONLY, out="-C-ND"),
    "admin:adaptation_centers_center_my_desk GET": ALL_STAFF,
    # The desk is the clerks' tool (and read by analysts); caseworkers are not shown it (services.can_open_desk).
    "admin:adaptation_centers_center_desk GET": ("--SND", WHOLE_COUNTRY),
    # GET only redirects back to the desk (no state change); POST needs the permission to add a stay.
    "admin:adaptation_centers_center_check_in GET": ("--SND", WHOLE_COUNTRY),
    "admin:adaptation_centers_center_check_in POST": "--S-D",
    # GET is the confirmation step for the center's staff (a redirect back to the desk for others).
    "admin:adaptation_centers_center_check_out GET": ("--SND", WHOLE_COUNTRY),
    "admin:adaptation_centers_center_check_out POST": "--S-D",
    "admin:adaptation_centers_center_undo_check_out GET": ("--SND", WHOLE_COUNTRY),
    "admin:adaptation_centers_center_undo_check_out POST": "--S-D",
    "admin:adaptation_centers_center_services GET": ("--SND", WHOLE_COUNTRY),
    "admin:adaptation_centers_center_services POST": "--S-D",
    "admin:adaptation_centers_center_register_arrival GET": ("--SND", WHOLE_COUNTRY),
    "admin:adaptation_centers_center_register_arrival POST": "--S-D",
    **model_admin("adaptation_centers_placement", view=ALL_STAFF, add=NOBODY, change="--S-D", delete=ADMIN_ONLY),
    "admin:adaptation_centers_placement_transition *": "--S-D",
    **model_admin("adaptation_centers_servicerecord", view=ALL_STAFF, add="--S-D", change="--S-D",
                  delete=ADMIN_ONLY),
    **model_admin("adaptation_centers_course", view="--SND", add="--S-D", change="--S-D", delete=ADMIN_ONLY),
    "admin:adaptation_centers_course_session *": "--S-D",
    # Referrals: caseworkers refer their region's persons (and cancel); center staff read theirs.
    **model_admin("adaptation_centers_referral", view=ALL_STAFF, add="-C--D", change="-C--D", delete=NOBODY),
    "admin:adaptation_centers_referral_transition *": "-C--D",
    **model_admin("adaptation_centers_placementalert", view="--SND", add=NOBODY, change=NOBODY,
                  delete=ADMIN_ONLY),

    # --- Quota ----------------------------------------------------------------------------------------
    **model_admin("quotas_quotarequest", view="-C-ND", add="-C--D", change="-C--D", delete=ADMIN_ONLY),
    "admin:quotas_quotarequest_transition *": "-C--D",
    **model_admin("quotas_allocationrun", view="-C-ND", add=NOBODY, change=NOBODY, delete=NOBODY),
    "admin:quotas_allocationrun_start *": ADMIN_ONLY,
    "admin:quotas_allocationrun_resume *": ADMIN_ONLY,  # resume a failed or stalled run (issue 15)
    **model_admin("quotas_benefitinstalment", view="-C-ND", add=NOBODY, change="-C--D", delete=ADMIN_ONLY),

    # --- Citizenship ------------------------------------------------------------------------------------
    **model_admin("citizenship_citizenshipapplication", view="-C-ND", add="-C--D", change="-C--D",
                  delete=ADMIN_ONLY),
    "admin:citizenship_citizenshipapplication_transition *": "-C--D",

    # --- Printouts: readers of the case; analysts only re-download what was printed -------------------
    **model_admin("documents_issueddocument", view="-C-ND", add=NOBODY, change=ADMIN_ONLY, delete=ADMIN_ONLY),
    "admin:documents_issueddocument_certificate GET": "-C-ND",
    "admin:documents_issueddocument_decision GET": "-C-ND",
    "admin:documents_issueddocument_family_certificates GET": NOBODY,
    "admin:documents_issueddocument_family_certificates POST": "-C--D",

    # --- Notifications: messages are personal data (no analysts) ----------------------------------------
    **model_admin("notifications_notification", view="-C--D", add=NOBODY, change=ADMIN_ONLY, delete=NOBODY),

    # --- Admin bulk actions (tried on a row inside the scope) ---------------------------------------------
    "action:*.delete_selected": ADMIN_ONLY,
    "action:oralman_document.verify": "-C--D",
    "action:oralman_duplicateflag.resolve": "-C--D",
    "action:quotas_benefitinstalment.mark_paid": "-C--D",
    "action:quotas_quotayear.start_runs": ADMIN_ONLY,
    "action:notifications_notification.resend": ADMIN_ONLY,
    "action:audit_readalert.mark_reviewed": ADMIN_ONLY,
    # django-celery-beat's own actions declare no permission; its changelist is the administrators' alone.
    "action:django_celery_beat_periodictask.run_tasks": Skip("runs the periodic job now (administrators only)"),
    "action:django_celery_beat_periodictask.*": ADMIN_ONLY,
    "action:*": NOBODY,  # an action nobody classified must not run for anyone (and fails the table test)

    # --- API: reference data ----------------------------------------------------------------------------
    "api-root GET": ALL_STAFF,
    "region-* GET": ALL_STAFF,
    "country-* GET": ALL_STAFF,
    "service-kind-* GET": ALL_STAFF,
    "citizenship-refusal-ground-* GET": "-C-ND",
    "citizenship-required-document-* GET": "-C-ND",
    "priority-category-* GET": "-C-ND",
    "regional-quota-* GET": "-C-ND",
    "quota-year-* GET": "-C-ND",
    "quota-year-list POST": ADMIN_ONLY,
    "quota-year-set-* POST": ADMIN_ONLY,

    # --- API: the case file ---------------------------------------------------------------------------
    "person-merge-* GET": "-C-ND",  # before person-*: the merges of one's region's persons
    "person-merge-undo POST": "-C--D",
    "person-merge POST": "-C--D",
    "person-* GET": ALL_STAFF,
    "person-list POST": "-C--D",
    "person-detail PATCH": "-C--D",
    "family-* GET": ALL_STAFF,
    "family-list POST": "-C--D",
    "family-add-member POST": "-C--D",
    "family-remove-member POST": "-C--D",
    "document-* GET": "-C-ND",
    "document-list POST": "-C--D",
    "document-detail PATCH": "-C--D",
    "document-verify POST": "-C--D",
    "status-application-* GET": "-C-ND",
    "status-application-* POST": "-C--D",
    "kandas-status-* GET": "-C-ND",
    "kandas-status-* POST": "-C--D",

    # --- API: centers ---------------------------------------------------------------------------------
    "center-list GET": ALL_STAFF,
    "center-detail GET": (ALL_STAFF, "-C-ND"),
    "placement-* GET": ALL_STAFF,
    "placement-* POST": "--S-D",
    "service-record-* GET": ALL_STAFF,
    "service-record-list POST": "--S-D",
    "center-referral-* GET": ALL_STAFF,
    "center-referral-list POST": "-C--D",
    "center-referral-cancel POST": "-C--D",
    "center-referral-register-arrival POST": "--S-D",

    # --- API: quota and citizenship -------------------------------------------------------------------
    "quota-request-* GET": "-C-ND",
    "quota-request-* POST": "-C--D",
    "allocation-run-* GET": "-C-ND",
    "allocation-run-list POST": ADMIN_ONLY,
    "citizenship-application-* GET": "-C-ND",
    "citizenship-application-* POST": "-C--D",

    # --- API: notifications ---------------------------------------------------------------------------
    "notification-* GET": "-C--D",
}
# fmt: on

# Admin views that only read (GET); every other admin view is tried with GET and POST.
GET_ONLY_SUFFIXES = ("_changelist", "_history", "_my_desk", "_desk", "_certificate", "_decision")
GET_ONLY_NAMES = {
    "admin:index", "admin:app_list", "home", "app_list", "admin:jsi18n", "admin:view_on_site", "admin:autocomplete",
    "admin:password_change_done", "reports:index", "reports:page", "healthz", "documents:verify",
    "documents:enter",
    "schema", "api-docs", "api-redoc",
}  # fmt: skip
TRANSITION_NAMES = {
    "oralman_statusapplication": "review",
    "oralman_kandasstatus": "terminate",
    "adaptation_centers_placement": "extend",
    "quotas_quotarequest": "decline",
    "citizenship_citizenshipapplication": "review",
    "adaptation_centers_referral": "cancel",
}
REPORT_SLUG = "centers-occupancy"
PROJECT_APPS = {"core", "oralman", "adaptation_centers", "quotas", "citizenship", "documents", "notifications"}


# --- Discovery --------------------------------------------------------------------------------------


@dataclass
class Endpoint:
    key: str  # "<url name> <METHOD>", "route: <pattern> <METHOD>" or "action:<app>_<model>.<name>"
    method: str
    url_name: str | None = None
    kwargs: tuple[str, ...] = ()
    model: type | None = None  # the model the row in the URL belongs to
    action: str | None = None

    @property
    def has_row(self) -> bool:
        return bool(self.kwargs) and self.model is not None and self.url_name != "admin:app_list"


def _walk(patterns, prefix="", namespace=None, kwargs=()):
    for pattern in patterns:
        names = tuple(_kwarg_names(pattern.pattern))
        if isinstance(pattern, URLResolver):
            ns = ":".join(x for x in (namespace, pattern.namespace) if x) or None
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns, kwargs + names)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern.callback, kwargs + names


def _kwarg_names(pattern) -> list[str]:
    return list(pattern.regex.groupindex)


def _admin_models_by_prefix() -> dict[str, type]:
    return {f"{m._meta.app_label}_{m._meta.model_name}": m for m in admin.site._registry}


# Row views outside the admin's namespace: the model of the row their URL names (tried in and out of scope).
NON_ADMIN_ROW_MODELS = {"private_file": "oralman.Document", "view_on_site": "oralman.Person"}


def _admin_model_of(name: str):
    if name in NON_ADMIN_ROW_MODELS:
        from django.apps import apps

        return apps.get_model(NON_ADMIN_ROW_MODELS[name])
    if not name.startswith("admin:"):
        return None
    short = name.removeprefix("admin:")
    overrides = {"documents_issueddocument_certificate": "oralman.KandasStatus",
                 "documents_issueddocument_decision": "citizenship.CitizenshipApplication",
                 "documents_issueddocument_family_certificates": "oralman.Family",
                 "auth_user_password_change": "core.User", "view_on_site": "oralman.Person"}  # fmt: skip
    if short in overrides:
        from django.apps import apps

        return apps.get_model(overrides[short])
    for prefix, model in sorted(_admin_models_by_prefix().items(), key=lambda kv: -len(kv[0])):
        if short.startswith(prefix + "_"):
            return model
    return None


def _api_model(cls):
    if getattr(cls, "queryset", None) is not None:
        return cls.queryset.model
    if getattr(cls, "permission_model", None) is not None:
        return cls.permission_model
    if hasattr(cls, "selector"):
        from core.models import User

        return cls.selector(user=User(is_superuser=True, is_active=True)).model
    return None


def discover() -> list[Endpoint]:
    endpoints: dict[str, Endpoint] = {}

    def add(endpoint: Endpoint):
        endpoints.setdefault(endpoint.key, endpoint)

    for route, name, callback, kwargs in _walk(get_resolver().url_patterns):
        if "format" in kwargs:
            continue  # DRF's ".json" twin of a route already listed
        if name is None:
            add(Endpoint(key=f"route: {route} GET", method="GET"))
            continue
        cls = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None)
        if actions is not None:  # a DRF viewset route
            for method, action in actions.items():
                if method in ("head", "options"):
                    continue  # DRF answers them with the GET handler (and metadata): as GET
                if method in cls.http_method_names and hasattr(cls, action):
                    model = _api_model(cls)
                    add(Endpoint(f"{name} {method.upper()}", method.upper(), name, kwargs, model=model))
            continue
        if cls is not None:  # a DRF APIView
            for method in ("get", "post", "put", "patch", "delete"):
                if hasattr(cls, method):
                    add(Endpoint(f"{name} {method.upper()}", method.upper(), name, kwargs, model=_admin_model_of(name)))
            continue
        model = _admin_model_of(name)
        if name == "reports:export" or name == "report-export-detail":
            model = None
        methods = ["GET"] if name in GET_ONLY_NAMES or name.endswith(GET_ONLY_SUFFIXES) else ["GET", "POST"]
        for method in methods:
            add(Endpoint(f"{name} {method}", method, name, kwargs, model=model))

    from core.models import User

    superuser = User(username="matrix", is_superuser=True, is_staff=True, is_active=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model, model_admin_ in admin.site._registry.items():
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        for action_name in model_admin_.get_actions(request):
            add(Endpoint(f"action:{label}.{action_name}", "POST", f"admin:{label}_changelist", model=model,
                         action=action_name))  # fmt: skip
    # Report exports are rows of their own: give them their model for the in/out runs.
    for endpoint in endpoints.values():
        if endpoint.url_name == "report-export-detail":
            from core.models import ReportExport

            endpoint.model = ReportExport
    return sorted(endpoints.values(), key=lambda e: e.key)


def expectation(key: str):
    for pattern, value in EXPECTED.items():
        if fnmatch.fnmatchcase(key, pattern):
            return pattern, value
    return None, None


# --- The table itself ------------------------------------------------------------------------------


def test_every_discovered_endpoint_is_classified_in_the_table():
    unclassified = [e.key for e in discover() if expectation(e.key)[0] is None]
    assert unclassified == [], "add these endpoints to EXPECTED:\n" + "\n".join(unclassified)


def test_every_custom_action_of_every_routed_viewset_is_discovered():
    """Cross-check of the URL walk against the routers: each viewset's @actions (get_extra_actions)."""
    discovered = {e.url_name for e in discover()}
    viewsets = {}
    for _route, _name, callback, _kwargs in _walk(get_resolver().url_patterns):
        if getattr(callback, "actions", None) is not None:
            viewsets[callback.cls] = callback.initkwargs["basename"]
    missing = [
        f"{basename}-{extra.url_name}"
        for viewset, basename in viewsets.items()
        for extra in viewset.get_extra_actions()
        if f"{basename}-{extra.url_name}" not in discovered
    ]
    assert len(viewsets) >= 20 and missing == []


def test_no_table_entry_is_stale():
    keys = [e.key for e in discover()]
    used = {expectation(k)[0] for k in keys}
    stale = [p for p in EXPECTED if p not in used and p != "action:*"]
    assert stale == []


def test_every_admin_bulk_action_declares_the_permission_it_needs():
    from core.models import User

    request = RequestFactory().get("/admin/")
    request.user = User(username="matrix", is_superuser=True, is_staff=True, is_active=True)
    missing = [
        f"{model._meta.label}.{name}"
        for model, model_admin_ in admin.site._registry.items()
        for name, (func, _name, _desc) in model_admin_.get_actions(request).items()
        if not getattr(func, "allowed_permissions", None) and model._meta.app_label in PROJECT_APPS
    ]
    assert missing == []


# --- The world: one row inside and one outside the scope of each kind -------------------------------


def _build_world():
    from django.core.files.base import ContentFile

    from adaptation_centers.models import Course, PlacementAlert, ServiceRecord
    from core.models import ReportExport
    from documents.models import IssuedDocument
    from oralman import merging
    from oralman.models import Document, DuplicateFlag, ImportBatch, ImportRow, StatusApplication
    from quotas.models import AllocationRun, BenefitInstalment
    from tests.adaptation_centers.factories import CenterFactory, kind, refer, referred_check_in, staff_of
    from tests.citizenship import factories as cf
    from tests.factories import FamilyFactory, KandasStatusFactory, PersonFactory, UserFactory, region
    from tests.notifications.factories import ContactablePersonFactory, NotificationFactory
    from tests.quotas.factories import file_request, make_year

    pavlodar, akmola = region("pavlodar"), region("akmola")
    users = {
        "caseworker": UserFactory(role="caseworker", region=pavlodar, username="m_caseworker"),
        "center_staff": UserFactory(role="center_staff", username="m_clerk"),
        "analyst": UserFactory(role="ministry_analyst", username="m_analyst"),
        "administrator": UserFactory(role="administrator", username="m_admin", is_superuser=True),
    }
    admin_user = users["administrator"]
    rows: dict[type, tuple] = {}

    def side(where, center):
        person = PersonFactory(region=where)
        family = FamilyFactory(head=person, region=where)
        status = KandasStatusFactory(person=person)
        application = StatusApplication.objects.create(applicant=person, region=where, state="submitted",
                                                       submitted_on=timezone.localdate())  # fmt: skip
        document = Document.objects.create(person=person, doc_type="birth_certificate", number="B-1")
        other = PersonFactory(region=where)
        flag = DuplicateFlag.objects.create(person=person, other=other, reason="name_birth_date")
        # A referral to the center (open) and the family's check-in (which closes the head's referral).
        referral = refer(center, person=PersonFactory(region=where))
        refer(center, family=family, status_holder_reason="a status holder in need of housing")
        placement = referred_check_in(center=center, family=family, actor=None)
        document.file.save("scan.pdf", ContentFile(b"%PDF-1.4 matrix"), save=True)
        batch = ImportBatch.objects.create(source="matrix", region=where, file="imports/matrix.csv",
                                           created_by=admin_user)  # fmt: skip
        import_row = ImportRow.objects.create(batch=batch, line=1, outcome=ImportRow.Outcome.values[0])
        merge = merging.person_merge(survivor=PersonFactory(region=where), other=PersonFactory(region=where),
                                     actor=admin_user)  # fmt: skip
        record = ServiceRecord.objects.create(center=center, person=person, kind=kind(), given_on=timezone.localdate(),
                                              hours=Decimal("1"), outcome="given")  # fmt: skip
        course = Course.objects.create(center=center, kind=kind("language-kazakh"), title="Kazakh A1",
                                       starts_on=timezone.localdate(), ends_on=timezone.localdate())  # fmt: skip
        alert = PlacementAlert.objects.create(placement=placement, kind="overstay", due_on=timezone.localdate(),
                                              raised_on=timezone.localdate())  # fmt: skip
        citizenship = cf.application(person=person, state="submitted", documents=False, actor=admin_user)
        certificate = IssuedDocument.objects.create(kind="kandas_certificate", language="ru", kandas_status=status)
        notification = NotificationFactory(person=ContactablePersonFactory(region=where), region=where)
        return {"person": person, "family": family, "status": status, "application": application,
                "document": document, "flag": flag, "placement": placement, "record": record, "course": course,
                "alert": alert, "citizenship": citizenship, "certificate": certificate,
                "notification": notification, "referral": referral, "batch": batch, "import_row": import_row,
                "merge": merge}  # fmt: skip

    center_in = CenterFactory(region=pavlodar)
    center_out = CenterFactory(region=akmola)
    staff_of(center_in, users["center_staff"])
    inside, outside = side(pavlodar, center_in), side(akmola, center_out)
    year = make_year(shares={"pavlodar": 5, "akmola": 5})
    requests_ = file_request(year, region="pavlodar"), file_request(year, region="akmola", minutes=1)
    instalments = tuple(
        BenefitInstalment.objects.create(
            request=r,
            kind="relocation",
            sequence=1,
            due_on=timezone.localdate(),
            amount_mci=1,
            mci_tenge=1,
            amount_tenge=1,
        )  # fmt: skip
        for r in requests_
    )
    runs = tuple(
        AllocationRun.objects.create(quota_year=year, region=r, requested_by=admin_user) for r in (pavlodar, akmola)
    )
    for name in ("person", "family", "status", "application", "document", "flag", "placement", "record",
                 "course", "alert", "citizenship", "certificate", "notification", "referral", "batch", "import_row",
                 "merge"):  # fmt: skip
        pair = inside[name], outside[name]
        rows[type(pair[0])] = pair
    rows[type(center_in)] = (center_in, center_out)
    rows[type(requests_[0])] = requests_
    rows[BenefitInstalment] = instalments
    rows[AllocationRun] = runs
    rows[type(year)] = (year, None)
    exports = {role: ReportExport.objects.create(report=REPORT_SLUG, requested_by=user) for role, user in users.items()}
    _third_party_rows(admin_user)
    # A decided citizenship application with its printed decision (analysts may re-download it).
    decided = {}
    for scope, where in (("in", pavlodar), ("out", akmola)):
        decided[scope] = cf.application(person=cf.kandas(region=where)[0], state="refused", documents=False,
                                        actor=admin_user)  # fmt: skip
        IssuedDocument.objects.create(kind="citizenship_decision", language="ru",
                                      citizenship_application=decided[scope])  # fmt: skip
    return users, rows, exports, inside, decided


def _third_party_rows(admin_user) -> None:
    """One row of each third-party admin's model (tokens, periodic schedules), for their pages."""
    from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, SolarSchedule
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from audit.models import ReadAlert
    from citizenship.models import HistoricalAdmission
    from core.services import api_token_issue

    api_token_issue(user=admin_user, name="matrix")
    TOTPDevice.objects.create(user=admin_user, name="matrix", confirmed=True)
    ReadAlert.objects.create(user=admin_user, window_start=timezone.now(), persons_count=99, threshold=50)
    HistoricalAdmission.objects.get_or_create(year=1999, region=None, basis="oralman", defaults={"count": 1})
    ClockedSchedule.objects.get_or_create(clocked_time=timezone.now() + datetime.timedelta(days=1))
    CrontabSchedule.objects.get_or_create(minute="0", hour="3")
    IntervalSchedule.objects.get_or_create(every=1, period="days")
    SolarSchedule.objects.get_or_create(event="sunrise", latitude=Decimal("51.16"), longitude=Decimal("71.47"))


def _row(model, rows, scope):
    """The first row of `model` for reference data; the inside/outside row for scoped models."""
    if model in rows:
        return rows[model][0 if scope == "in" else 1]
    if scope == "out":
        return None
    # The audit log view has no rows for changes made outside a request: its row pages are skipped.
    return model._default_manager.order_by("pk").first()


def _url(endpoint: Endpoint, row, *, placement=None, export=None) -> str | None:
    kwargs = {}
    for name in endpoint.kwargs:
        if name in ("object_id", "pk", "id"):
            target = export if endpoint.url_name == "report-export-detail" else row
            if target is None:
                return None
            kwargs[name] = target.pk
        elif name == "placement_id":
            kwargs[name] = placement.pk
        elif name == "name":
            kwargs[name] = TRANSITION_NAMES[endpoint.url_name.removeprefix("admin:").removesuffix("_transition")]
        elif name == "language":
            kwargs[name] = "ru"
        elif name == "fmt":
            kwargs[name] = "csv"
        elif name == "model":
            kwargs[name] = row._meta.label_lower
        elif name == "field":
            kwargs[name] = "file"
        elif name == "slug":
            kwargs[name] = REPORT_SLUG
        elif name == "code":
            kwargs[name] = row.code
        elif name == "content_type_id":
            kwargs[name] = ContentType.objects.get_for_model(row).pk
        elif name == "app_label":
            kwargs[name] = "oralman"
        else:
            raise AssertionError(f"no value for <{name}> in {endpoint.key}")
    return reverse(endpoint.url_name, kwargs=kwargs)


def _allowed(endpoint: Endpoint, response) -> bool:
    code = response.status_code
    if code in (401, 403, 404, 405):
        return False
    if code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return False
        if endpoint.has_row and location == reverse("admin:index"):
            return False  # the admin's "object does not exist" answer
    if endpoint.action:
        # An action the user is not offered is refused with "No action selected." (and a redirect).
        from django.utils import translation

        refusals = set()
        for language in ("ru", "en", "kk"):
            with translation.override(language):
                refusals.add(translation.gettext("No action selected."))
        added = getattr(response.wsgi_request, "_messages", None)  # this request's messages only
        if any(str(m) in refusals for m in getattr(added, "_queued_messages", [])):
            return False
        if code == 200 and response.context and "cl" in response.context:
            return False  # no action at all for this user: the changelist is shown again
    return True


@dataclass
class Case:
    endpoint: Endpoint
    role: str
    scope: str
    expected: bool


def _cases(endpoints, scoped_models) -> list[Case]:
    cases = []
    for endpoint in endpoints:
        scoped = endpoint.model in scoped_models
        _pattern, value = expectation(endpoint.key)
        if value is None or isinstance(value, Skip):
            continue
        inside, outside = value if isinstance(value, tuple) else (value, _intersect(value, WHOLE_COUNTRY))
        for i, role in enumerate(ROLES):
            cases.append(Case(endpoint, role, "in", inside[i] == LETTERS[i]))
            if endpoint.has_row and role in ("caseworker", "center_staff") and not endpoint.action and scoped:
                cases.append(Case(endpoint, role, "out", outside[i] == LETTERS[i]))
    # Reads first, then writes: a write that succeeds may move a row out of someone's scope.
    return sorted(cases, key=lambda c: (c.endpoint.method != "GET", c.endpoint.key, c.role, c.scope))


@dataclass
class World:
    users: dict
    rows: dict  # model -> (row inside the scope, row outside it or None)
    exports: dict  # role -> a report export that role asked for
    inside: dict
    decided: dict  # scope -> a refused citizenship application with its printed decision

    def row_for(self, endpoint: Endpoint, role: str, scope: str):
        """The row whose id goes into the URL (None: the endpoint works on no row)."""
        from core.models import ReportExport

        special = {
            "documents:verify": lambda: self.inside["certificate"],
            "admin:auth_user_password_change": lambda: self.users["analyst"],
            "admin:documents_issueddocument_decision": lambda: self.decided[scope],
        }
        if endpoint.url_name in special:
            return special[endpoint.url_name]()
        if endpoint.model is ReportExport:
            return self.export_for(role, scope)
        return _row(endpoint.model, self.rows, scope) if endpoint.model is not None else None

    def export_for(self, role: str, scope: str):
        """Inside: the user's own export; outside: somebody else's."""
        if scope == "out":
            return self.exports["caseworker" if role == "administrator" else "administrator"]
        return self.exports["administrator" if role == "anonymous" else role]

    def placement(self, scope: str):
        from adaptation_centers.models import Placement

        return self.rows[Placement][0 if scope == "in" else 1]


def _request(client, endpoint: Endpoint, world: World, case: Case):
    row = world.row_for(endpoint, case.role, case.scope)
    if endpoint.has_row and row is None:
        return None  # a model with no row to show (the audit log view of changes made in requests)
    if endpoint.action:
        if row is None:
            return None  # no row to select (the lock-out log of django-axes)
        return client.post(reverse(endpoint.url_name), {"action": endpoint.action, "_selected_action": [row.pk]})
    url = _url(endpoint, row, placement=world.placement(case.scope), export=world.export_for(case.role, case.scope))
    if endpoint.method in ("PATCH", "PUT", "DELETE"):
        return client.generic(endpoint.method, url, b"{}", content_type="application/json")
    query = AUTOCOMPLETE_QUERY if endpoint.url_name == "admin:autocomplete" else {}
    return getattr(client, endpoint.method.lower())(url, query)


AUTOCOMPLETE_QUERY = {"app_label": "oralman", "model_name": "statusapplication", "field_name": "applicant"}


@pytest.mark.django_db
def test_every_endpoint_answers_each_role_as_the_table_says():
    world = World(*_build_world())
    clients = {"anonymous": Client()}
    for role, user in world.users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    cases = _cases(discover(), {model for model, pair in world.rows.items() if pair[1] is not None})
    wrong, tried = [], 0
    for case in cases:
        client = clients[case.role]
        response = _request(client, case.endpoint, world, case)
        if response is None:
            continue
        tried += 1
        if case.endpoint.url_name == "admin:logout" and case.role != "anonymous":
            client.force_login(world.users[case.role])
        allowed = _allowed(case.endpoint, response)
        if allowed != case.expected:
            wrong.append(
                f"{case.endpoint.key} as {case.role} ({case.scope}): {'allowed' if allowed else 'denied'} "
                f"({response.status_code}); the table says {'allow' if case.expected else 'deny'}"
            )
    endpoints = len({c.endpoint.key for c in cases})
    print(f"permission matrix: {endpoints} endpoints x 5 roles x in/out scope = {tried} requests")
    assert wrong == [], "\n".join(wrong)
