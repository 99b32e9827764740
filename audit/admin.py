"""The read log and its alerts in the admin: read-only for administrators and analysts; nobody adds,
changes or deletes a log row (the database refuses too). Administrators mark alerts reviewed."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit import services
from audit.models import ReadAlert, ReadLogEntry
from core.admin_base import ReadOnlyAdminMixin
from core.authz import can
from core.pagination import EstimatedCountPaginator


class UserFilter(admin.SimpleListFilter):
    """By user, offering only the staff who read something: a list of staff accounts is short, the
    log is long, so the choices come from the users table, not from a DISTINCT over the log."""

    title = _("user")
    parameter_name = "user"

    def lookups(self, request, model_admin):
        from core.models import User

        return [(str(u.pk), u.get_full_name() or u.username) for u in User.objects.order_by("username")[:500]]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(user_id=int(value))
        return queryset


@admin.register(ReadLogEntry)
class ReadLogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "user", "kind", "person_link", "record", "ip"]  # the address on the row's page
    list_filter = [UserFilter, ("at", admin.DateFieldListFilter), "kind"]
    list_select_related = ["user", "content_type", "person"]
    search_fields = ["=person__iin", "=user__username"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # counts per filter choice would scan the whole log
    paginator = EstimatedCountPaginator  # the log grows fast; no exact count of it per page view
    list_per_page = 100
    ordering = ["-id"]

    @admin.display(description=_("person"))
    def person_link(self, obj):
        if obj.person_id is None:
            return "—"
        return obj.person or obj.person_id

    @admin.display(description=_("record"))
    def record(self, obj):
        return format_html("{} #{}", obj.content_type.name, obj.object_id)


@admin.register(ReadAlert)
class ReadAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Only the review is ever recorded, by an administrator, through the action below."""

    list_display = ["created_at", "user", "window_start", "persons_count", "threshold", "reviewed_at", "reviewed_by"]
    list_filter = [("reviewed_at", admin.EmptyFieldListFilter), ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["user", "reviewed_by"]
    show_facets = admin.ShowFacets.NEVER
    readonly_fields = list_display
    actions = ["mark_reviewed"]

    def has_review_permission(self, request):
        return can(request.user, "change", ReadAlert)

    @admin.action(description=_("Mark as reviewed"), permissions=["review"])
    def mark_reviewed(self, request, queryset):
        count = 0
        for alert in queryset.filter(reviewed_at__isnull=True):
            services.read_alert_review(alert=alert, actor=request.user)
            count += 1
        self.message_user(request, _("%(n)s alert(s) marked as reviewed.") % {"n": count}, messages.SUCCESS)
