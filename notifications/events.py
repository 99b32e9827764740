"""The agreed events that notify someone, and who receives each (docs/notifications.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    STATUS_GRANTED = "status.granted", _("kandas status granted")
    STATUS_REFUSED = "status.refused", _("kandas status refused")
    STATUS_DOCUMENTS_REQUESTED = "status.documents_requested", _("documents requested for the status application")
    STATUS_EXPIRING = "status.expiring", _("kandas status about to expire")
    QUOTA_ALLOCATED = "quota.allocated", _("quota place allocated")
    QUOTA_WAITLISTED = "quota.waitlisted", _("quota request waitlisted")
    QUOTA_PROMOTED = "quota.promoted", _("quota request promoted from the waiting list")
    CITIZENSHIP_GRANTED = "citizenship.granted", _("citizenship granted")
    CITIZENSHIP_REFUSED = "citizenship.refused", _("citizenship refused")
    CITIZENSHIP_DOCUMENTS_REQUESTED = (
        "citizenship.documents_requested",
        _("documents requested for the citizenship application"),
    )
    CENTER_CHECKOUT_APPROACHING = "center.checkout_approaching", _("check-out from the center approaching")
    CENTER_OVERSTAY = "center.overstay", _("resident stays beyond the limit")
    CASEWORKER_DEADLINE_DIGEST = "caseworker.deadline_digest", _("daily digest of decision deadlines")
    READ_ALERT = "audit.read_alert", _("unusually many person files opened by one user")


# Who receives each event: "person" (an applicant or resident: the `person` argument of notify)
# or "user" (a member of staff: the `user` argument). notify() enforces it.
RECIPIENT_KIND = {
    Event.STATUS_GRANTED: "person",
    Event.STATUS_REFUSED: "person",
    Event.STATUS_DOCUMENTS_REQUESTED: "person",
    Event.STATUS_EXPIRING: "person",
    Event.QUOTA_ALLOCATED: "person",
    Event.QUOTA_WAITLISTED: "person",
    Event.QUOTA_PROMOTED: "person",
    Event.CITIZENSHIP_GRANTED: "person",
    Event.CITIZENSHIP_REFUSED: "person",
    Event.CITIZENSHIP_DOCUMENTS_REQUESTED: "person",
    Event.CENTER_CHECKOUT_APPROACHING: "person",
    Event.CENTER_OVERSTAY: "user",
    Event.CASEWORKER_DEADLINE_DIGEST: "user",
    Event.READ_ALERT: "user",
}
