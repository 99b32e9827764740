"""List filters that stay short however many values they offer: past DROPDOWN_AFTER choices the
admin's list of links becomes one <select> (the country filter alone was 6,900 px of links).

Our own, not django-admin-list-filter-dropdown (last release 2019) or django-more-admin-filters:
both change the page with an inline onchange="..." handler, which our Content-Security-Policy
(script-src 'self' + nonce) refuses, so their dropdowns would do nothing. Here the template is
Django's own filter markup plus a <select>, and core/js/list-filter.js follows the chosen option.

    list_filter = [dropdown("region"), dropdown("country_of_origin"), "sex"]
"""

from __future__ import annotations

from django.contrib import admin

DROPDOWN_AFTER = 10  # choices (with "All"); fewer stay links, one click each


class DropdownFilterMixin:
    template = "admin/core/dropdown_filter.html"
    dropdown_after = DROPDOWN_AFTER


class RelatedDropdownFilter(DropdownFilterMixin, admin.RelatedFieldListFilter):
    """A foreign key (country, region, center) as a dropdown when it offers many rows."""


class ChoicesDropdownFilter(DropdownFilterMixin, admin.ChoicesFieldListFilter):
    """A field with many choices as a dropdown."""


def dropdown(field_path: str) -> tuple[str, type]:
    """A list_filter entry for a foreign key shown as a dropdown when long."""
    return (field_path, RelatedDropdownFilter)
