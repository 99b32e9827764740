"""Base classes for the caseworker's desk: scoped querysets and form choices, the audit history,
and state transitions offered as buttons that call the same service functions as the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import authz
from core.audit import AuditHistoryAdminMixin
from core.errors import DomainError
from core.kept_uploads import KeptUploadsAdminMixin, KeptUploadsFieldMixin
from core.models import Region
from core.pagination import EstimatedCountPaginator
from core.roles import is_read_only
from core.scoping import allowed_region_ids
from core.search import IndexedSearchAdminMixin


def scoped_choices(request, related_model, admin_site=None):
    """The rows a foreign key may point to for this user: writable regions, the registered scope
    of the related model (core.authz), or else the related model's own admin queryset."""
    if related_model is Region:
        allowed = allowed_region_ids(request.user)
        return Region.objects.all() if allowed is None else Region.objects.filter(pk__in=allowed)
    if authz.scope_of(related_model) is not None:
        return authz.scoped(request.user, related_model)
    related_admin = admin_site._registry.get(related_model) if admin_site is not None else None
    if related_admin is not None:
        return related_admin.get_queryset(request)
    return related_model._default_manager.all()


def valid_lookup_value(field, value) -> bool:
    """Whether ``value`` (from a URL) can be looked up in ``field`` without the database refusing it:
    it converts (no 'abc' for an integer) and an integer fits the column (no 2**64)."""
    target = getattr(field, "target_field", field)
    values = value if isinstance(value, list | tuple) else str(value).split(",")
    try:
        for item in values:
            converted = target.to_python(item)
            if isinstance(converted, int) and not -(2**63) <= converted < 2**63:
                return False
    except (ValidationError, ValueError, TypeError):
        return False
    return True


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices limited to the user's scope (a row outside it is
    refused as 'not one of the available choices', without naming it)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = scoped_choices(request, db_field.related_model, self.admin_site)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Region and field.required:
            allowed = allowed_region_ids(request.user)
            if allowed is not None and len(allowed) == 1:  # a caseworker's one region: chosen already
                field.initial, field.empty_label = allowed[0], None
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = scoped_choices(request, db_field.related_model, self.admin_site)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class KnownAutocompleteSelect(AutocompleteSelect):
    """An autocomplete box that, for a row already loaded with its related object (select_related),
    shows the chosen label without asking the database again: one query per row otherwise."""

    known: dict | None = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if not self.known or not selected or not selected <= set(self.known):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for key in selected:
            obj = self.known[key]
            label = self.choices.field.label_from_instance(obj)
            options.append(self.create_option(name, obj.pk, label, selected, len(options)))
        return [(None, options, 0)]


class LoadedRowChoiceField(forms.ModelChoiceField):
    """The hidden id of a posted row, found among the rows the formset loaded in one query
    (Django's own field asks the database once per row)."""

    loaded: dict = {}

    def to_python(self, value):
        if value not in self.empty_values:
            try:
                key = self.queryset.model._meta.pk.to_python(value)
            except ValidationError:
                key = None
            if key in self.loaded:
                return self.loaded[key]
        return super().to_python(value)


class LoadedRowsFormSetMixin:
    """Gives each row's autocomplete boxes the related objects its instance already holds, and
    each posted row its instance from the formset's one query."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get(self.model._meta.pk.name)
        loaded = getattr(self, "_object_dict", None)
        if type(field) is forms.ModelChoiceField and loaded:
            field.__class__ = LoadedRowChoiceField
            field.loaded = loaded

    @cached_property
    def forms(self):
        forms = super().forms
        for form in forms:
            instance = form.instance
            if instance.pk is None:
                continue
            for name, field in form.fields.items():
                widget = getattr(field.widget, "widget", field.widget)
                if not isinstance(widget, KnownAutocompleteSelect):
                    continue
                try:
                    model_field = instance._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                if model_field.is_relation and model_field.is_cached(instance):
                    related = getattr(instance, name)
                    if related is not None:
                        widget.known = {str(related.pk): related}
        return forms


class LoadedRowsInlineMixin:
    """Autocomplete boxes of loaded rows need no query each (KnownAutocompleteSelect); with
    ``get_queryset`` selecting the related rows, the inline's cost does not grow with its rows."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        inner = getattr(widget, "widget", widget)
        if type(inner) is AutocompleteSelect:
            inner.__class__ = KnownAutocompleteSelect
        return field

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (LoadedRowsFormSetMixin, formset), {})


class ScopedInline(KeptUploadsFieldMixin, LoadedRowsInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    """An inline whose choices are scoped and whose permissions are asked of core.authz."""

    def has_view_permission(self, request, obj=None):
        return authz.can(request.user, "view", self.model)

    def has_add_permission(self, request, obj=None):
        return authz.can(request.user, "add", self.model)

    def has_change_permission(self, request, obj=None):
        return authz.can(request.user, "change", self.model)

    def has_delete_permission(self, request, obj=None):
        return authz.can(request.user, "delete", self.model)


class ScopedAdmin(
    KeptUploadsAdminMixin, ScopedChoicesMixin, IndexedSearchAdminMixin, AuditHistoryAdminMixin, admin.ModelAdmin
):
    """A ModelAdmin whose rows come from a selector applying the user's scope, and whose
    add/change/delete/view permissions are asked of core.authz (model permission + scope of the row).

    Foreign-key choices are the user's scoped rows, so a caseworker can neither see nor submit
    another region's person; regions are limited to the writable ones."""

    selector: Callable | None = None
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # exact counts up to 10,000 rows, PostgreSQL's estimate beyond
    list_per_page = 50

    def get_queryset(self, request):
        if self.selector is None:
            return super().get_queryset(request)
        queryset = type(self).selector(user=request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_changeform_initial_data(self, request):
        """Initial values from the query string (``?person=12``) that cannot name a row are dropped:
        an autocomplete widget would otherwise look up 'abc' and answer 500."""
        initial = super().get_changeform_initial_data(request)
        opts = self.model._meta
        kept = {}
        for name, value in initial.items():
            try:
                field = opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.is_relation and not valid_lookup_value(field, value):
                continue
            kept[name] = value
        return kept

    def get_list_filter(self, request):
        """A filter by region means nothing to someone who sees one region only."""
        filters = super().get_list_filter(request)
        if allowed_region_ids(request.user) is None or is_read_only(request.user):
            return filters
        return [f for f in filters if f != "region"]

    def _can(self, request, action, obj=None) -> bool:
        """core.authz.can, with the scope answer for a row kept for the rest of the request."""
        if obj is None or obj.pk is None:
            return authz.can(request.user, action, self.model)
        if not authz.can(request.user, action, self.model):
            return False
        cache = request.__dict__.setdefault("_authz_in_scope", {})
        key = (type(obj), obj.pk)
        if key not in cache:
            cache[key] = authz.in_scope(request.user, obj)
        return cache[key]

    def has_view_permission(self, request, obj=None):
        return self._can(request, authz.VIEW, obj) or self._can(request, authz.CHANGE, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Every record's page links to the case file it belongs to (core.casefile)."""
        from core.casefile import case_file_url

        obj = self.get_object(request, object_id) if object_id else None
        extra_context = {**(extra_context or {}), "case_file_url": case_file_url(request.user, obj)}
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request, *args):
        return self._can(request, authz.ADD)

    def has_change_permission(self, request, obj=None):
        return self._can(request, authz.CHANGE, obj)

    def has_delete_permission(self, request, obj=None):
        return self._can(request, authz.DELETE, obj)


class ReadOnlyAdminMixin:
    """Rows that only services write (merges, import lines, logs): the admin shows them, never
    adds, edits or deletes one."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason or comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


@dataclass(frozen=True)
class Transition:
    """A button on the change page: `perform(obj, user, cleaned_data)` calls the service."""

    name: str
    label: Any
    to_state: str
    perform: Callable[[Any, Any, dict], Any]
    form_class: type[forms.Form] = ReasonForm
    style: str = "default"  # "default" or "danger"


class TransitionAdminMixin:
    """Offers exactly the legal next states of an object as buttons (from the service's table)."""

    transitions: tuple[Transition, ...] = ()
    legal_moves: dict[str, set[str]] = {}
    state_field = "state"
    change_form_template = "admin/core/transition_change_form.html"

    def available_transitions(self, request, obj) -> list[Transition]:
        if obj is None or not self.has_change_permission(request, obj):
            return []
        allowed = self.allowed_moves(obj)
        return [t for t in self.transitions if t.to_state in allowed]

    def allowed_moves(self, obj) -> set[str]:
        """The moves to offer for `obj`: the table's by default; an app whose service narrows the
        table (a dated rule, a missing step) overrides this with the service's own answer."""
        return set(self.legal_moves.get(getattr(obj, self.state_field), set()))

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "transitions": self.available_transitions(request, obj)}
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request, object_id, name):
        obj = self.get_object_or_404(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        authz.authorize(request.user, authz.CHANGE, obj)
        opts = self.model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        transition = next((t for t in self.available_transitions(request, obj) if t.name == name), None)
        if transition is None:
            messages.error(request, _("This action is not possible in the current state."))
            return redirect(change_url)
        data = request.POST if request.method == "POST" else None
        # A form that needs the object (e.g. one field per family member) says so with takes_object.
        form_kwargs = {"obj": obj} if getattr(transition.form_class, "takes_object", False) else {}
        form = transition.form_class(data, **form_kwargs)
        for field in form.fields.values():  # the admin's calendar, writing dd.mm.yyyy (config/formats)
            if isinstance(field, forms.DateField) and not isinstance(field.widget, AdminDateWidget):
                field.widget = AdminDateWidget()
        if request.method == "POST" and form.is_valid():
            try:
                transition.perform(obj, request.user, form.cleaned_data)
            except DomainError as exc:
                messages.error(request, str(exc.message))
                return redirect(change_url)
            messages.success(request, _("Done: %(action)s.") % {"action": transition.label})
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": transition.label,
            "object": obj,
            "opts": opts,
            "form": form,
            "transition": transition,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/core/transition_confirm.html", context)
