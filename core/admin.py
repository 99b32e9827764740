from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import Country, Region, User


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
