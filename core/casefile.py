"""Sections of the family case file contributed by the programmes built on it.

The case file (oralman) does not import the programmes (adaptation centers, quotas, citizenship,
notifications). Each registers a section in its AppConfig.ready(): a function
``rows(*, user, family, person_ids) -> list[CaseRow]`` that reads its own rows in the user's scope
(core.authz.scoped) with a constant number of queries, whatever the family's history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from core import authz


@dataclass
class CaseRow:
    cells: list[Any]
    url: str = ""  # the record's admin page
    actions: Any = ""  # safe HTML (print buttons)


@dataclass
class CaseSection:
    key: str
    title: Any
    columns: list[Any]
    rows: Callable[..., list[CaseRow]]
    model: type[Model]
    order: int = 100
    # Which family-level fact counts the section's open items for the tab's badge; filled per page.
    result: list[CaseRow] = field(default_factory=list)


_SECTIONS: dict[str, CaseSection] = {}


def register_case_section(section: CaseSection) -> None:
    _SECTIONS[section.key] = section


def case_sections(*, user, family, person_ids) -> list[CaseSection]:
    """The registered sections the user may read (view permission on the section's model), with
    their rows for this family."""
    result = []
    for section in sorted(_SECTIONS.values(), key=lambda s: s.order):
        if not authz.can(user, authz.VIEW, section.model):
            continue
        filled = CaseSection(**{**section.__dict__, "result": []})
        filled.result = list(section.rows(user=user, family=family, person_ids=person_ids))
        result.append(filled)
    return result


def admin_url(obj) -> str:
    from django.urls import reverse

    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def ddmmyyyy(day) -> str:
    return day.strftime("%d.%m.%Y") if day else "—"


def case_file_url(user, obj) -> str:
    """The case file a record belongs to (its family's, else its person's), for the link on its
    admin page; empty for a user who may not open case files (core: the view permission on status
    applications, which the case file shows) or a record that belongs to no person."""
    from django.urls import reverse

    if obj is None or obj.pk is None or not authz.can(user, "oralman.view_statusapplication", type(obj)):
        return ""
    label = obj._meta.label
    if label == "oralman.Family":
        return reverse("admin:oralman_family_casefile", args=[obj.pk])
    if label == "oralman.Person":
        return reverse("admin:oralman_person_casefile", args=[obj.pk])
    family_id = getattr(obj, "family_id", None)
    if family_id:
        return reverse("admin:oralman_family_casefile", args=[family_id])
    person_id = getattr(obj, "person_id", None) or getattr(obj, "applicant_id", None)
    if person_id:
        return reverse("admin:oralman_person_casefile", args=[person_id])
    return ""
