from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as BaseTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin_filters import dropdown
from core.audit import AuditHistoryAdminMixin
from core.errors import DomainError
from core.models import ApiToken, CalendarOverride, Country, Region, ReportExport, User
from core.services import api_token_issue


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name_ru", "name_kk", "name_en", "kind", "administrative_centre"]
    search_fields = ["name_ru", "name_kk", "name_en", "code"]
    list_filter = ["kind"]


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name_ru", "name_kk", "name_en", "iso2", "iso3"]
    search_fields = ["name_ru", "name_kk", "name_en", "iso2", "iso3"]


@admin.register(User)
class UserAdmin(AuditHistoryAdminMixin, BaseUserAdmin):  # History: role, region and flag changes
    list_display = ["username", "last_name", "first_name", "region", "is_active"]
    list_filter = ["groups", dropdown("region"), "is_active"]
    list_select_related = ["region"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Work"), {"fields": ["region", "phone", "preferred_language"]}),)
    # Filters in the URL may only use these fields: a lookup through a relation such as
    # `?auth_token_set__token_key__startswith=` or `?totpdevice__key__startswith=` (or on the
    # password hash) would let a reader guess a secret one character at a time.
    FILTERABLE = frozenset({"groups", "region", "is_active", "is_staff", "is_superuser", "id", "username"})

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__", 1)[0] not in self.FILTERABLE:
            return False
        return super().lookup_allowed(lookup, value, request)


class ApiTokenAddForm(forms.ModelForm):
    days = forms.IntegerField(
        label=_("valid for (days)"), min_value=1, max_value=3650, initial=settings.API_TOKEN_INTEGRATION_DAYS
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Named, expiring API tokens. Neither the token nor its digest or prefix is ever shown,
    searched or filtered on; a new token is shown once, in the message after adding it."""

    list_display = ["name", "user", "created", "expiry"]
    list_display_links = None
    list_filter = ["created", "expiry"]
    search_fields = ["name", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    form = ApiTokenAddForm

    def lookup_allowed(self, lookup, value, request=None):
        # Only the list's own filters; nothing reaches a secret (digest, key, a user's password hash).
        return lookup in {"created__gte", "created__lt", "expiry__gte", "expiry__lt", "user", "user__id__exact"}

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            token, key = api_token_issue(user=obj.user, name=obj.name, days=form.cleaned_data["days"])
        except DomainError as error:
            raise forms.ValidationError(error.message) from error
        obj.pk = token.pk
        messages.warning(
            request,
            gettext("The token for %(name)s, shown this once (only its digest is stored): %(key)s")
            % {"name": token.name, "key": key},
        )

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:core_apitoken_changelist"))


@admin.register(ReportExport)
class ReportExportAdmin(admin.ModelAdmin):
    list_display = ["report", "format", "state", "rows", "requested_by", "created_at", "finished_at", "download"]
    list_filter = ["state", "report"]
    list_select_related = ["requested_by"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(requested_by=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, obj):
        """A link to the authorised download view (core.files), never to the storage."""
        if not obj.file:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.file.url, obj.format.upper())


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Extra days off and extra working days by Government decree, over the package's calendar.
    Only administrators hold its permissions (core.roles gives it to no other role)."""

    list_display = ["day", "kind", "decree", "created_at"]
    list_filter = ["kind"]
    search_fields = ["decree"]
    date_hierarchy = "day"


class TOTPDeviceAdmin(BaseTOTPDeviceAdmin):
    """django-otp's admin, whose config and QR-code views fetch the device with ``objects.get``: a
    junk or unknown id answered 500. Here the permission is asked first, then the device is looked
    up among the admin's rows (404 when there is none)."""

    def _device_or_404(self, request, pk):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def config_view(self, request, pk):
        self._device_or_404(request, pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request, pk):
        self._device_or_404(request, pk)
        return super().qrcode_view(request, pk)


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)
