"""The citizenship section of the family case file (core.casefile)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import authz
from core.casefile import CaseRow, CaseSection, admin_url, ddmmyyyy


def print_buttons(url_name: str, pk: int, label) -> str:
    """POST buttons (issue if needed, then download) in Kazakh and Russian."""
    return format_html(
        '<span class="kandas-print">{}: <button type="submit" class="button" form="kandas-print" formaction="{}">ҚАЗ</button> '
        '<button type="submit" class="button" form="kandas-print" formaction="{}">РУС</button></span>',
        label,
        reverse(url_name, args=[pk, "kk"]),
        reverse(url_name, args=[pk, "ru"]),
    )


def citizenship_rows(*, user, family, person_ids) -> list[CaseRow]:
    from citizenship.models import CitizenshipApplication

    applications = (
        authz.scoped(user, CitizenshipApplication)
        .filter(person_id__in=person_ids)
        .select_related("person")
        .order_by("-submitted_on", "-id")
    )
    rows = []
    for a in applications:
        actions = ""
        if a.state in ("granted", "refused"):
            actions = print_buttons("admin:documents_issueddocument_decision", a.pk, _("Decision letter"))
        rows.append(
            CaseRow(
                [
                    a.person,
                    a.get_basis_display(),
                    a.get_state_display(),
                    ddmmyyyy(a.submitted_on),
                    ddmmyyyy(a.decision_due),
                ],
                url=admin_url(a),
                actions=actions,
            )
        )
    return rows


def section() -> CaseSection:
    from citizenship.models import CitizenshipApplication

    return CaseSection(
        key="citizenship",
        title=_("Citizenship"),
        columns=[_("Applicant"), _("Basis"), _("State"), _("Submitted"), _("Decision due")],
        rows=citizenship_rows,
        model=CitizenshipApplication,
        order=60,
    )
