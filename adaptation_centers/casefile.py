"""The adaptation centers' section of the family case file (core.casefile)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import authz
from core.casefile import CaseRow, CaseSection, admin_url, ddmmyyyy


def placement_rows(*, user, family, person_ids) -> list[CaseRow]:
    """Stays of the family (or of its members alone) and the services its members were given: two
    queries."""
    from adaptation_centers.models import Placement, ServiceRecord

    rows = []
    placements = (
        authz.scoped(user, Placement)
        .filter((Q(family=family) if family else Q(pk__in=[])) | Q(person_id__in=person_ids))
        .select_related("center", "person")
        .order_by("-check_in_on", "-id")[:50]
    )
    for p in placements:
        stay = f"{ddmmyyyy(p.check_in_on)} – {ddmmyyyy(p.checked_out_on or p.planned_check_out_on)}"
        state = _("checked out") if p.checked_out_on else _("staying")
        rows.append(CaseRow([_("stay"), p.center, p.person, stay, state], url=admin_url(p)))
    if authz.can(user, authz.VIEW, ServiceRecord):
        services = (
            authz.scoped(user, ServiceRecord)
            .filter(person_id__in=person_ids)
            .select_related("center", "person", "kind")
            .order_by("-given_on", "-id")[:50]
        )
        for s in services:
            rows.append(
                CaseRow([s.kind, s.center, s.person, ddmmyyyy(s.given_on), s.get_outcome_display()], url=admin_url(s))
            )
    return rows


def section() -> CaseSection:
    from adaptation_centers.models import Placement

    return CaseSection(
        key="placements",
        title=_("Placements and services"),
        columns=[_("What"), _("Center"), _("Person"), _("Dates"), _("State")],
        rows=placement_rows,
        model=Placement,
        order=40,
    )
