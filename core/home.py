"""The home page of each role (in place of the admin's stock index, which stays at
/admin/apps/): the caseworker's work queue, the center clerk's desk one click away, the analyst's
reports. Administrators keep the stock index.

The queue's rows come from sources the apps register in AppConfig.ready() (core knows no domain):

    register_queue_source("deadlines", status_deadline_items)   # def (*, user, today) -> list[QueueItem]

Each source reads its rows in the user's scope with a constant number of queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.db.models import Max, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.roles import Role, role_of

SECTIONS = {
    "my_cases": gettext_lazy("My cases"),
    "deadlines": gettext_lazy("Decisions due today and overdue"),
    "returned": gettext_lazy("Returned for documents"),
    "expiring": gettext_lazy("Statuses expiring within 60 days"),
}
QUEUE_LIMIT = 50


@dataclass
class QueueItem:
    kind: Any
    reference: str
    person: str
    url: str
    day: datetime.date | None = None  # the deadline, the return, the expiry
    days: int | None = None  # overdue by / waiting for / left
    urgent: bool = False
    note: Any = ""


def deadline_items(applications, *, kind, person: Callable, url: Callable, today) -> list[QueueItem]:
    """Rows for applications whose decision is due by `today` (already filtered), soonest first."""
    return [
        QueueItem(
            kind=kind,
            reference=str(a.pk),
            person=str(person(a)),
            url=url(a),
            day=a.decision_due,
            days=(today - a.decision_due).days,
            urgent=a.decision_due < today,
            note=a.get_state_display(),
        )  # fmt: skip
        for a in applications.order_by("decision_due", "pk")[:QUEUE_LIMIT]
    ]


def returned_items(applications, *, returned_state, kind, person: Callable, url: Callable, today) -> list[QueueItem]:
    """Rows for applications returned for documents, the longest waiting first. The day of return
    is the last transition into `returned_state` (both apps log moves as `transitions.at/to_state`)."""
    applications = (
        applications.filter(state=returned_state)
        .annotate(returned_at=Max("transitions__at", filter=Q(transitions__to_state=returned_state)))
        .order_by("returned_at", "pk")[:QUEUE_LIMIT]
    )
    items = []
    for a in applications:
        day = timezone.localtime(a.returned_at).date() if a.returned_at else None
        items.append(
            QueueItem(
                kind=kind,
                reference=str(a.pk),
                person=str(person(a)),
                url=url(a),
                day=day,
                days=(today - day).days if day else None,
            )  # fmt: skip
        )
    return items


QueueSource = Callable[..., list[QueueItem]]
_SOURCES: dict[str, list[QueueSource]] = {key: [] for key in SECTIONS}


def register_queue_source(section: str, source: QueueSource) -> None:
    if source not in _SOURCES[section]:
        _SOURCES[section].append(source)


@dataclass
class QueueSection:
    key: str
    title: Any
    items: list[QueueItem]


def work_queue(*, user, today: datetime.date | None = None) -> list[QueueSection]:
    today = today or timezone.localdate()
    sections = []
    for key, title in SECTIONS.items():
        items = [item for source in _SOURCES[key] for item in source(user=user, today=today)]
        items.sort(key=lambda i: (i.day or datetime.date.max, str(i.reference)))
        sections.append(QueueSection(key, title, items[:QUEUE_LIMIT]))
    return sections


def home(request):
    """/admin/: the role's home page."""
    role = role_of(request.user)
    if role in (None, Role.ADMINISTRATOR):
        return admin.site.index(request)
    from core.reports import REPORTS

    context = {
        **admin.site.each_context(request),
        "title": _("Home"),
        "role": role,
        "today": timezone.localdate(),
        "apps_url": reverse("app_list"),
    }
    if role == Role.CASEWORKER:
        context["queue"] = work_queue(user=request.user)
    if role == Role.CENTER_STAFF:
        context["desk_url"] = reverse("admin:adaptation_centers_center_my_desk")
    context["reports"] = [r for r in REPORTS.values() if r.allowed(request.user)]
    return TemplateResponse(request, "admin/core/home.html", context)
