"""The notifications section of the family case file (core.casefile): messages sent to members."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core import authz
from core.casefile import CaseRow, CaseSection, admin_url
from core.history import format_datetime


def notification_rows(*, user, family, person_ids) -> list[CaseRow]:
    from notifications.models import Notification

    notifications = (
        authz.scoped(user, Notification)
        .filter(person_id__in=person_ids)
        .select_related("person")
        .order_by("-created_at", "-id")[:100]
    )
    return [
        CaseRow(
            [
                n.person,
                n.get_event_display(),
                n.get_channel_display(),
                n.get_state_display(),
                format_datetime(n.sent_at or n.created_at),
            ],
            url=admin_url(n),
        )  # fmt: skip
        for n in notifications
    ]


def section() -> CaseSection:
    from notifications.models import Notification

    return CaseSection(
        key="notifications",
        title=_("Notifications sent"),
        columns=[_("Recipient"), _("Event"), _("Channel"), _("State"), _("When")],
        rows=notification_rows,
        model=Notification,
        order=70,
    )
