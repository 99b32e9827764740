"""The outbox in the admin: what was sent, what waits, what failed (with a re-send), and the templates."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template import TemplateSyntaxError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_base import ScopedAdmin, ScopedInline
from core.admin_filters import dropdown
from core.errors import DomainError
from notifications import selectors, services
from notifications.models import DeliveryAttempt, Notification, NotificationTemplate
from notifications.rendering import check_template_source


class DeliveryAttemptInline(ScopedInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = [
        "number", "started_at", "finished_at", "channel", "outcome", "is_retry", "retry_after_lost_worker",
        "channel_key", "key_accepted_by_channel", "error",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ScopedAdmin):
    selector = staticmethod(selectors.notification_list)
    list_display = ["created_at", "event", "recipient_display", "channel", "state", "attempts", "sent_at", "region"]
    list_filter = ["state", "channel", "event", dropdown("region")]
    list_select_related = ["person", "user", "region"]
    search_fields = ["=key", "address", "person__surname", "person__surname_latin", "user__username"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    actions = ["resend"]
    inlines = [DeliveryAttemptInline]
    change_list_template = "admin/notifications/notification/change_list.html"
    fieldsets = [
        (None, {"fields": ["event", "key", "person", "user", "region", "channel", "address", "language"]}),
        (_("Message"), {"fields": ["subject", "body", "context"]}),
        (
            _("Delivery"),
            {
                "fields": [
                    "state", "attempts", "resends", "next_attempt_at", "lease_expires_at", "sent_at", "failed_at",
                    "provider_message_id", "last_error", "created_at",
                ]
            },
        ),
    ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Notification._meta.fields]

    @admin.display(description=_("recipient"))
    def recipient_display(self, obj):
        return obj.person.full_name if obj.person_id else (obj.user.get_full_name() or obj.user.username)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            response.context_data["counts_today"] = selectors.notification_counts_today(queryset=changelist.queryset)
        return response

    @admin.action(description=_("Send again"), permissions=["change"])
    def resend(self, request, queryset):
        sent, refused = 0, []
        for notification in queryset:
            try:
                services.notification_resend(notification=notification, actor=request.user)
                sent += 1
            except DomainError as exc:
                refused.append(f"{notification.key}: {exc.message}")
        if sent:
            self.message_user(
                request,
                ngettext("%(n)d notification queued again.", "%(n)d notifications queued again.", sent) % {"n": sent},
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.WARNING)


class NotificationTemplateForm(forms.ModelForm):
    class Meta:
        model = NotificationTemplate
        fields = ["event", "language", "subject", "body", "sms_text"]

    def _check(self, name):
        value = self.cleaned_data.get(name, "")
        try:
            check_template_source(value)
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(_("The template does not compile: %(error)s") % {"error": exc})
        return value

    def clean_subject(self):
        return self._check("subject")

    def clean_body(self):
        return self._check("body")

    def clean_sms_text(self):
        return self._check("sms_text")


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    form = NotificationTemplateForm
    list_display = ["event", "language", "subject", "updated_at"]
    list_filter = ["event", "language"]
    search_fields = ["subject", "body"]
    ordering = ["event", "language"]
