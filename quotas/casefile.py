"""The quota's section of the family case file (core.casefile)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core import authz
from core.casefile import CaseRow, CaseSection, admin_url
from core.history import format_datetime


def quota_rows(*, user, family, person_ids) -> list[CaseRow]:
    from quotas.models import QuotaRequest

    if family is None:
        return []
    requests = (
        authz.scoped(user, QuotaRequest)
        .filter(family=family)
        .select_related("quota_year", "region")
        .order_by("-quota_year__year", "-id")
    )
    return [
        CaseRow(
            [r, r.region, r.members_count, r.get_state_display(), format_datetime(r.submitted_at)], url=admin_url(r)
        )
        for r in requests
    ]


def section() -> CaseSection:
    from quotas.models import QuotaRequest

    return CaseSection(
        key="quota",
        title=_("Quota"),
        columns=[_("Request"), _("Region of settlement"), _("Family members"), _("State"), _("Submitted")],
        rows=quota_rows,
        model=QuotaRequest,
        order=50,
    )
