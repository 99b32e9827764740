"""Audit trail helpers on top of django-pghistory (database triggers record every change, also
those made by services, tasks and bulk updates; the context carries the acting user)."""

from __future__ import annotations

import pghistory
from django.contrib import admin
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def acting(user, **extra):
    """Attach the acting user (and any extra facts) to audit events written inside the block."""
    return pghistory.context(user=user.pk if user is not None else None, **extra)


# A user's history also shows the role (group) memberships added and removed.
USER_EVENT_MODELS = ["core.UserEvent", "core.UserGroupEvent"]


def history_for(obj):
    """Audit events of one object, newest first, with the acting user's id in `user`."""
    from pghistory.models import MiddlewareEvents

    from core.models import User

    if isinstance(obj, User):
        events = MiddlewareEvents.objects.references(obj).filter(pgh_model__in=USER_EVENT_MODELS)
    else:
        events = MiddlewareEvents.objects.tracks(obj)
    return events.order_by("-pgh_created_at")


def _group_change(event, groups) -> list:
    """A membership event read as a change of the user's roles: group: — → name (or back)."""
    name = groups.get((event.pgh_data or {}).get("group_id"), "?")
    return [("groups", [None, name] if event.pgh_label == "group.add" else [name, None])]


class AuditHistoryAdminMixin(admin.ModelAdmin):
    """Replaces the admin's 'History' page with the database-level audit trail of the object."""

    def get_object_or_404(self, request, object_id):
        """The row behind a URL's id, in the user's scope; 404 for a missing row and for junk ids
        ('abc', 2**64), which ModelAdmin.get_object already turns into None."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        return obj

    def history_masked_fields(self, request, obj) -> dict:
        """Field name -> masking function for values the user may not read in full (core.masking)."""
        return {}

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object_or_404(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        from core.history import readable

        events = list(history_for(obj)[:500])
        masked = self.history_masked_fields(request, obj)
        if any(e.pgh_label in ("group.add", "group.remove") for e in events):
            from django.contrib.auth.models import Group

            groups = dict(Group.objects.values_list("pk", "name"))
            for event in events:
                if event.pgh_label in ("group.add", "group.remove"):
                    event.pgh_diff = dict(_group_change(event, groups))
        events = readable(events, masked=masked)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change history: %s") % obj,
            "object": obj,
            "opts": self.model._meta,
            "events": events,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/audit_history.html", context)


def track_changes(model):
    """Class decorator for every case model: creation, each update and deletion are recorded by
    database triggers (fresh trackers per model: pghistory binds them to the model)."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())(model)


def log_read(user, obj, *, kind: str, request=None, person_id: int | None = None):
    """Record in the read log that `user` opened `obj` in full: kind is one of audit.models.ReadKind
    ("person", "family", "document_file", "printout"). One INSERT per read; call it from detail
    views and downloads only, never from list pages. See audit.services.log_read."""
    from audit.services import log_read as write

    return write(user, obj, kind=kind, request=request, person_id=person_id)
