from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import CalendarOverride, Country, Region, ReportExport, User


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
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "region", "is_active"]
    list_filter = ["groups", "region", "is_active"]
    list_select_related = ["region"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Work"), {"fields": ["region", "phone", "preferred_language"]}),)


@admin.register(ReportExport)
class ReportExportAdmin(admin.ModelAdmin):
    list_display = ["report", "format", "state", "rows", "requested_by", "created_at", "finished_at", "file"]
    list_filter = ["state", "report"]
    list_select_related = ["requested_by"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(requested_by=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Extra days off and extra working days by Government decree, over the package's calendar.
    Only administrators hold its permissions (core.roles gives it to no other role)."""

    list_display = ["day", "kind", "decree", "created_at"]
    list_filter = ["kind"]
    search_fields = ["decree"]
    date_hierarchy = "day"
