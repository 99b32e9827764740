"""The caseworker's desk for the case file. Every write goes through oralman.services."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Value
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from core import authz
from core.admin_base import (
    LoadedRowChoiceField,
    LoadedRowsInlineMixin,
    ReadOnlyAdminMixin,
    ScopedAdmin,
    ScopedInline,
    Transition,
    TransitionAdminMixin,
)
from core.admin_filters import dropdown
from core.audit import log_read
from core.authz import can
from core.errors import DomainError
from core.forms import PhoneFormField
from core.iin import iin_warnings
from core.masking import mask_iin, mask_passport, shows_identifiers
from core.translit import CYRILLIC_TO_LATIN, latin_spelling
from oralman import imports, matching, merging, selectors, services
from oralman.casefile_views import FamilyCaseFileMixin, PersonCaseFileMixin
from oralman.forms import ExtendForm, GrantForm, RecommendForm, RefuseForm, ReturnForm, TerminateForm
from oralman.models import (
    APPLICATION_QUEUE_ORDER,
    KAZAKH_NATIONALITY,
    OPEN_APPLICATION_STATES,
    ApplicationMember,
    ApplicationState,
    ApplicationTransition,
    Document,
    DuplicateFlag,
    Family,
    FamilyMember,
    ImportBatch,
    ImportRow,
    KandasStatus,
    Person,
    PersonMerge,
    RefusalGround,
    Relationship,
    StatusApplication,
    StatusRequiredDocument,
    StatusRule,
)
from oralman.services import LATIN_FIELDS

S = ApplicationState


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("overdue")), ("due_today", _("due today")), ("on_time", _("on time"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        open_states = Q(state__in=OPEN_APPLICATION_STATES)
        if self.value() == "overdue":
            return queryset.filter(open_states, decision_due__lt=today)
        if self.value() == "due_today":
            return queryset.filter(open_states, decision_due=today)
        if self.value() == "on_time":
            return queryset.filter(open_states, decision_due__gt=today)
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    title = _("assigned caseworker")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("assigned to me")), ("nobody", _("not assigned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_caseworker=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_caseworker__isnull=True)
        return queryset


class MaskedDocumentNumberMixin:
    """A document's number (a passport's number, most often) is shown masked to roles without
    oralman.view_identifiers_person (core.masking), like the person's own identifiers."""

    @admin.display(description=_("number"))
    def masked_number(self, obj):
        return mask_passport(obj.number) or "—"

    def _shows_numbers(self, request, obj=None) -> bool:
        person = obj.person if isinstance(obj, Document) else obj if isinstance(obj, Person) else Person
        return shows_identifiers(request.user, person)

    def _swap_number(self, names, request, obj=None):
        if self._shows_numbers(request, obj):
            return names
        return ["masked_number" if name == "number" else name for name in names]


def fix_choices(field) -> None:
    """Read a select's options once for the whole formset (each row and the empty row would
    otherwise run the query again, and validation once per posted value)."""
    objects = list(field.queryset)
    field.__class__ = LoadedRowChoiceField
    field.loaded = {obj.pk: obj for obj in objects}
    field.choices = [("", field.empty_label), *((obj.pk, field.label_from_instance(obj)) for obj in objects)]


class UnchangedRowForm(forms.ModelForm):
    """An inline row posted back as it was stored is not validated against the model again: its
    database checks (three CHECK constraints per document, each a query) would run for every row
    of the person's file on every save."""

    def _post_clean(self):
        if self.instance.pk is not None and not self.has_changed():
            return
        super()._post_clean()


class DocumentInline(MaskedDocumentNumberMixin, ScopedInline):
    model = Document
    form = UnchangedRowForm
    fk_name = "person"
    extra = 0
    template = "admin/oralman/document/tabular.html"
    fields = [
        "doc_type", "number", "issued_on", "valid_until", "file", "translation", "application", "verified_by",
        "verified_at",
    ]  # fmt: skip
    readonly_fields = ["verified_by", "verified_at", "masked_number"]

    def get_fields(self, request, obj=None):
        return self._swap_number(super().get_fields(request, obj), request, obj)  # obj: the page's person

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("verified_by")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "application" and field is not None:
            # The application is chosen here and opened from its own page: no add/edit pop-ups in each row.
            field.widget.can_add_related = field.widget.can_change_related = False
        return field

    def get_formset(self, request, obj=None, **kwargs):
        """A document links only to one of this person's own applications (in the user's scope)."""
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("application")
        if field is not None:
            own = selectors.application_list(user=request.user).filter(applicant=obj) if obj else None
            field.queryset = own if own is not None else StatusApplication.objects.none()
            fix_choices(field)
        return formset


TRANSLIT_JSON = json.dumps(CYRILLIC_TO_LATIN, ensure_ascii=False)


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "surname", "given_name", "patronymic", "surname_latin", "given_name_latin", "patronymic_latin",
            "birth_date", "sex", "iin", "passport_number", "passport_country", "ethnicity", "former_kz_citizen",
            "country_of_origin",
            "citizenship", "education", "profession", "languages", "phone", "email", "address",
            "preferred_language", "region",
        ]  # fmt: skip

        field_classes = {"phone": PhoneFormField}

    requester = None  # set by PersonAdmin.get_form: a holder is named only to who may see them

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The stored value "kazakh" is a code: shown (and typed) in the user's language.
        if "ethnicity" in self.fields:
            shown = self.initial.get("ethnicity", self.fields["ethnicity"].initial)
            if (shown or "").strip().lower() in KAZAKH_NATIONALITY:
                self.initial["ethnicity"] = pgettext("nationality", "Kazakh")
            self.fields["ethnicity"].widget.attrs["list"] = "nationality-choices"
            self.fields["ethnicity"].help_text = format_html(
                '{}<datalist id="nationality-choices"><option value="{}"></datalist>',
                self.fields["ethnicity"].help_text,
                pgettext("nationality", "Kazakh"),
            )
        for cyrillic, latin in LATIN_FIELDS:
            if latin not in self.fields:
                continue
            self.fields[latin].required = False  # oralman.services spells an empty one from the Cyrillic
            self.fields[latin].help_text = _("Left empty, it is spelled from the Cyrillic name.")
            attrs = self.fields[latin].widget.attrs
            attrs.update({"data-translit-source": cyrillic, "data-translit": TRANSLIT_JSON})
            suggestion = latin_spelling(getattr(self.instance, cyrillic, ""))
            if suggestion:
                attrs["placeholder"] = suggestion

    class Media:
        js = ["core/js/latin_suggest.js"]

    def clean_ethnicity(self):
        value = (self.cleaned_data.get("ethnicity") or "").strip()
        return "kazakh" if value.lower() in KAZAKH_NATIONALITY else value

    def clean_iin(self):
        iin = self.cleaned_data.get("iin") or None
        if iin and Person.objects.filter(iin=iin).exclude(pk=self.instance.pk).exists():
            holder = Person.objects.get(iin=iin)
            if not authz.can(self.requester, authz.VIEW, holder):
                raise forms.ValidationError(_("IIN %(iin)s already belongs to another person.") % {"iin": iin})
            raise forms.ValidationError(
                _("IIN %(iin)s already belongs to %(name)s (case No. %(id)s).")
                % {"iin": iin, "name": holder, "id": holder.pk}
            )
        return iin

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth is in the future."))
        return value


@admin.register(Person)
class PersonAdmin(PersonCaseFileMixin, ScopedAdmin):
    selector = staticmethod(selectors.person_list)
    form = PersonAdminForm
    list_display = [
        "surname",
        "given_name",
        "patronymic",
        "full_latin",
        "birth_date",
        "iin",
        "country_of_origin",
        "region",
    ]
    list_filter = [dropdown("region"), dropdown("country_of_origin"), "sex"]
    search_fields = ["surname", "given_name", "surname_latin", "given_name_latin", "=iin", "=passport_number"]
    ordering = ["surname", "given_name", "id"]
    autocomplete_fields = ["country_of_origin", "citizenship", "passport_country"]
    inlines = [DocumentInline]
    fieldsets = [
        (
            _("Name"),
            {
                "fields": [
                    ("surname", "given_name", "patronymic"),
                    ("surname_latin", "given_name_latin", "patronymic_latin"),
                ]
            },
        ),
        (
            _("Identity"),
            {
                "fields": [
                    ("birth_date", "sex"),
                    "iin",
                    ("passport_number", "passport_country"),
                    ("ethnicity", "former_kz_citizen"),
                ]
            },
        ),
        (_("Origin"), {"fields": ["country_of_origin", "citizenship", "former_citizenship", "citizen_since"]}),
        (_("Background"), {"fields": ["education", "profession", "languages"]}),
        (_("Contacts"), {"fields": [("phone", "email"), "address", "preferred_language", "region"]}),
    ]
    readonly_fields = ["citizen_since", "former_citizenship"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.requester = request.user  # the class is made afresh for each request
        return form

    @admin.display(description=_("name (Latin)"), ordering="surname_latin")
    def full_latin(self, obj):
        return obj.full_name_latin

    # Minimal disclosure (core.masking): roles without oralman.view_identifiers_person see these instead.
    @admin.display(description=_("IIN"))
    def masked_iin(self, obj):
        return mask_iin(obj.iin) or "—"

    @admin.display(description=_("foreign passport number"))
    def masked_passport(self, obj):
        return mask_passport(obj.passport_number) or "—"

    def history_masked_fields(self, request, obj):
        if shows_identifiers(request.user, obj):
            return {}
        return {"iin": mask_iin, "passport_number": mask_passport}

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        if not shows_identifiers(request.user, Person):
            shown = ["masked_iin" if name == "iin" else name for name in shown]
        if request.GET.get("q", "").strip():  # why each row matched, beside the name (visible at 1366 px)
            shown.insert(2, "match_reasons")
        return shown

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "masked_iin", "masked_passport"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or shows_identifiers(request.user, obj):
            return fieldsets
        masked = {"iin": "masked_iin", "passport_number": "masked_passport"}

        def swap(item):
            return tuple(swap(i) for i in item) if isinstance(item, tuple | list) else masked.get(item, item)

        return [(title, {**options, "fields": [swap(f) for f in options["fields"]]}) for title, options in fieldsets]

    # --- Search: one matcher (oralman.matching), ranked, each row saying why it matched ---------

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        # The term rides along on each row, for the "why it matched" column (the admin is shared
        # between threads, so it cannot keep the term itself).
        found = matching.person_match(queryset, search_term).annotate(match_term=Value(search_term))
        if ORDER_VAR not in request.GET:  # best match first unless the user sorted by a column
            found = matching.order_by_match(found)
        return found, False

    @admin.display(description=_("why it matched"))
    def match_reasons(self, obj):
        return "; ".join(matching.reasons(obj, getattr(obj, "match_term", "")))

    def changelist_view(self, request, extra_context=None):
        term = request.GET.get("q", "")
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None and term.strip() and changelist.result_count == 0:
            near = matching.suggestions(self.get_queryset(request), term)
            if near:
                messages.info(request, _("Nothing found. Nearest spellings: %(names)s.") % {"names": ", ".join(near)})
            else:
                messages.info(request, _("Nothing found, and no similar spelling either."))
        return response

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            result = services.person_update(person=obj, actor=request.user, **fields)
        else:
            data = {f.name: form.cleaned_data[f.name] for f in Person._meta.fields if f.name in form.cleaned_data}
            result = services.person_create(actor=request.user, **data)
            for flag in result.duplicates:
                seen = matching.describe_duplicate(flag, request.user)
                if seen["in_your_scope"]:
                    messages.warning(
                        request,
                        _("Possible duplicate: %(other)s (case No. %(id)s), %(reason)s.")
                        % {"other": seen["name"], "id": seen["person"], "reason": seen["reason_display"]},
                    )
                else:
                    messages.warning(
                        request,
                        _("Possible duplicate in another region's case file (%(reason)s); it is flagged for review.")
                        % {"reason": seen["reason_display"]},
                    )
        obj.pk = result.person.pk
        obj.refresh_from_db()
        for warning in result.warnings:
            messages.warning(request, warning)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if isinstance(inline_form.instance, Document) and not inline_form.instance.pk:
                inline_form.instance.uploaded_by = request.user
        super().save_formset(request, form, formset, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None and str(object_id).isdigit():
            target = selectors.merged_record_target(user=request.user, pk=int(object_id))
            if target is not None and str(target.pk) != str(object_id):
                messages.info(request, _("That record was merged into this one."))
                return redirect("admin:oralman_person_change", target.pk)
        if obj is not None and request.method == "GET":
            log_read(request.user, obj, kind="person", request=request)
            if obj.iin and shows_identifiers(request.user, obj):
                # Not twice: a save that just warned redirects here with the same words queued.
                shown = {str(m.message) for m in getattr(messages.get_messages(request), "_loaded_messages", [])}
                for warning in iin_warnings(obj.iin, birth_date=obj.birth_date, sex=obj.sex):
                    if warning not in shown:
                        messages.warning(request, warning)
        return super().change_view(request, object_id, form_url, extra_context)


class FamilyMemberFormSet(forms.BaseInlineFormSet):
    """The members typed on the family page, checked together before anything is saved: each person
    once, and only the head chosen above with the relationship "head of family" (the database would
    otherwise refuse the second head row with an IntegrityError)."""

    def clean(self):
        super().clean()
        head_id = self.instance.head_id
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            person = data.get("person")
            if person is None or data.get("DELETE"):
                continue
            if person.pk in seen:
                form.add_error("person", _("This person is listed twice."))
            seen.add(person.pk)
            current = not data.get("left_on")
            if data.get("relationship") == Relationship.HEAD and person.pk != head_id and current:
                form.add_error(
                    "relationship",
                    _("Only the head of family chosen above has this relationship; choose another one."),
                )
            elif person.pk == head_id and data.get("relationship") != Relationship.HEAD and current:
                form.add_error(
                    "relationship", _("The head of family chosen above must have the relationship “head of family”.")
                )


class FamilyMemberInline(ScopedInline):
    model = FamilyMember
    formset = FamilyMemberFormSet
    extra = 1
    autocomplete_fields = ["person"]
    fields = ["person", "relationship", "joined_on", "left_on"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "person":
            kwargs["queryset"] = selectors.person_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FamilyAdminForm(forms.ModelForm):
    class Meta:
        model = Family
        fields = ["head", "region"]

    def clean_head(self):
        head = self.cleaned_data["head"]
        if self.instance.pk is None:
            current = FamilyMember.objects.filter(person=head, left_on__isnull=True).first()
            if current is not None:
                raise forms.ValidationError(
                    _("%(person)s already belongs to another family (No. %(family)s); remove them from it first.")
                    % {"person": head, "family": current.family_id}
                )
        return head


@admin.register(Family)
class FamilyAdmin(FamilyCaseFileMixin, ScopedAdmin):
    selector = staticmethod(selectors.family_list)
    form = FamilyAdminForm
    list_display = ["id", "head", "region", "assigned_caseworker", "created_at", "case_file_link"]
    list_filter = [dropdown("region"), AssignedFilter]
    list_select_related = ["head", "region", "assigned_caseworker"]
    readonly_fields = ["assigned_caseworker"]
    actions = ["assign_to_me"]
    search_fields = ["head__surname", "head__given_name", "head__surname_latin", "=head__iin"]
    autocomplete_fields = ["head"]
    inlines = [FamilyMemberInline]
    ordering = ["-id"]

    @admin.display(description=_("case file"))
    def case_file_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:oralman_family_casefile", args=[obj.pk]), _("open"))

    @admin.action(description=_("Assign the selected families to me"), permissions=["assign"])
    def assign_to_me(self, request, queryset):
        FamilyCaseFileMixin.assign_to_me(self, request, queryset)

    def has_assign_permission(self, request):
        return authz.can(request.user, "oralman.assign_family", Family)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        family = services.family_create(
            head=form.cleaned_data["head"], region=form.cleaned_data["region"], actor=request.user
        )
        obj.pk = family.pk
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        if formset.model is FamilyMember and not change:
            # family_create has listed the head already: a head row typed on the new family's page is that row.
            head_id = form.instance.head_id
            formset.forms = [
                f for f in formset.forms if f.instance.pk or (f.cleaned_data or {}).get("person", None) is None
                or f.cleaned_data["person"].pk != head_id
            ]  # fmt: skip
        super().save_formset(request, form, formset, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and (obj := self.get_object(request, object_id)) is not None:
            log_read(request.user, obj, kind="family", request=request)
        return super().change_view(request, object_id, form_url, extra_context)


class TransitionInline(ScopedInline):
    model = ApplicationTransition
    extra = 0
    can_delete = False
    fields = ["at", "from_state", "to_state", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class ApplicationMemberInline(LoadedRowsInlineMixin, admin.TabularInline):
    """The family members listed on the application; added and removed through the services."""

    model = ApplicationMember
    extra = 1
    autocomplete_fields = ["person"]
    fields = ["person", "representative"]
    readonly_fields = ["representative"]
    verbose_name_plural = _("family members listed for the status")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "representative")

    def _decided(self, obj) -> bool:
        return obj is not None and obj.state in (S.GRANTED, S.REFUSED, S.WITHDRAWN)

    def has_add_permission(self, request, obj=None):
        return not self._decided(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._decided(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._decided(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "person":
            kwargs["queryset"] = selectors.person_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _grant(obj, user, data):
    iins = {int(name[4:]): value for name, value in data.items() if name.startswith("iin_") and value}
    services.application_grant(
        application=obj, actor=user, certificate_number=data.get("certificate_number") or None, iins=iins
    )


# The commission's recommendation is recorded while the case stays with the commission.
ADMIN_MOVES = {**services.LEGAL_TRANSITIONS, S.COMMISSION: services.LEGAL_TRANSITIONS[S.COMMISSION] | {"recommend"}}


@admin.register(StatusApplication)
class StatusApplicationAdmin(TransitionAdminMixin, ScopedAdmin):
    selector = staticmethod(selectors.application_list)
    legal_moves = ADMIN_MOVES
    transitions = (
        Transition("submit", _("Submit"), S.SUBMITTED, lambda o, u, d: services.application_submit(application=o, actor=u)),
        Transition("review", _("Start review"), S.UNDER_REVIEW, lambda o, u, d: services.application_start_review(application=o, actor=u)),
        Transition("commission", _("Refer to the commission"), S.COMMISSION,
                   lambda o, u, d: services.application_refer_to_commission(application=o, actor=u)),
        Transition("recommend", _("Record the commission's recommendation"), "recommend",
                   lambda o, u, d: services.application_commission_recommend(
                       application=o, actor=u, recommendation=d["recommendation"], note=d.get("note", "")),
                   form_class=RecommendForm),
        Transition("return", _("Return for documents"), S.RETURNED,
                   lambda o, u, d: services.application_return(application=o, actor=u, reason=d["reason"]), form_class=ReturnForm),
        Transition("grant", _("Grant the status"), S.GRANTED, _grant, form_class=GrantForm),
        Transition("refuse", _("Refuse"), S.REFUSED,
                   lambda o, u, d: services.application_refuse(application=o, actor=u, ground=d["ground"], reason=d["reason"]),
                   form_class=RefuseForm, style="danger"),
        Transition("withdraw", _("Withdraw"), S.WITHDRAWN,
                   lambda o, u, d: services.application_withdraw(application=o, actor=u, reason=d["reason"]), style="danger"),
    )  # fmt: skip

    def has_change_permission(self, request, obj=None):
        """A decided application is a record: the services accept no change to it (no move, no
        member), so its page is read-only (no save buttons)."""
        if obj is not None and obj.state in (S.GRANTED, S.REFUSED, S.WITHDRAWN):
            return False
        return super().has_change_permission(request, obj)

    def allowed_moves(self, obj) -> set[str]:
        """The service's own answer (the dated rule's commission step), plus recording the
        commission's recommendation while the case is with it."""
        moves = set(services.application_next_states(obj))
        if obj.state == S.COMMISSION:
            moves.add("recommend")
        return moves

    # The deadline first (visible at 1366 px); open applications first, earliest deadline first.
    list_display = ["id", "applicant", "decision_due", "deadline_flag", "state", "region", "submitted_on", "channel"]
    list_filter = ["state", OverdueFilter, dropdown("region"), "channel", dropdown("applicant__country_of_origin")]
    search_fields = [
        "applicant__surname", "applicant__given_name", "applicant__surname_latin", "applicant__given_name_latin",
        "=applicant__iin", "=applicant__passport_number", "=statuses__certificate_number",
    ]  # fmt: skip
    list_select_related = ["applicant", "region"]
    readonly_fields = [
        "state",
        "checklist",
        "warnings",
        "submitted_on",
        "clock_started_on",
        "decision_due",
        "commission_due",
        "commission_recommendation",
        "commission_recommended_on",
        "decided_on",
        "refusal_ground",
        "created_by",
        "certificate",
    ]
    fields = ["applicant", "representative", "family", "region", "channel", *readonly_fields]
    autocomplete_fields = ["applicant", "representative", "family"]
    inlines = [ApplicationMemberInline, TransitionInline]
    # With the department first, then waiting for the applicant (draft, returned), then decided; each by
    # deadline. Read from statusapp_region_queue_idx / statusapp_queue_idx (the same expressions).
    ordering = [*APPLICATION_QUEUE_ORDER]

    @admin.display(description=_("deadline"))
    def deadline_flag(self, obj):
        if obj.is_overdue():
            return format_html('<strong style="color:#ba2121">{}</strong>', _("overdue"))
        if obj.state not in OPEN_APPLICATION_STATES:
            return "—"
        if obj.decision_due == timezone.localdate():
            return format_html('<strong style="color:#b26a00">{}</strong>', _("due today"))
        return _("on time")

    @admin.display(description=_("certificate"))
    def certificate(self, obj):
        """Each certificate number links to the status (print buttons there) and its verification
        page once printed."""
        if not obj.pk:
            return "—"
        statuses = list(obj.statuses.select_related("person").prefetch_related("issued_documents").order_by("id"))
        if not statuses:
            return "—"

        def verify_links(status):
            printed = [d for d in status.issued_documents.all() if d.cancelled_at is None]
            return format_html_join(
                " ",
                '<a href="{}" target="_blank" rel="noopener">{} {}</a>',
                ((reverse("documents:verify", args=[d.code]), _("verify"), d.language.upper()) for d in printed),
            )

        return format_html_join(
            "",
            '<div><a href="{}">{}</a> — {} {}</div>',
            (
                (reverse("admin:oralman_kandasstatus_change", args=[s.pk]), s.certificate_number, s.person,
                 verify_links(s))
                for s in statuses
            ),
        )  # fmt: skip

    @admin.display(description=_("documents for the grant"))
    def checklist(self, obj):
        """The grant's checklist: each missing, unverified, expired or untranslated document."""
        if not obj.pk:
            return "—"
        missing = services.missing_documents(obj)
        if not missing:
            return format_html('<span style="color:#2e7d32">{}</span>', _("complete and verified"))
        return format_html(
            '<ul style="margin:0;color:#ba2121">{}</ul>',
            format_html_join("", "<li>{}</li>", ((str(m),) for m in missing)),
        )

    @admin.display(description=_("warnings"))
    def warnings(self, obj):
        found = services.application_warnings(obj) if obj.pk else []
        if not found:
            return "—"
        return format_html_join("", '<p style="color:#b26a00;margin:0">{}</p>', ((w,) for w in found))

    def save_formset(self, request, form, formset, change):
        if formset.model is not ApplicationMember:
            return super().save_formset(request, form, formset, change)
        # The admin's change message reads these three lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() and not inline_form.instance.pk:
                continue
            member = inline_form.instance
            if inline_form.cleaned_data.get("DELETE") and member.pk:
                services.application_unlist_member(member=member, actor=request.user)
                formset.deleted_objects.append(member)
            elif not member.pk and inline_form.cleaned_data.get("person"):
                try:
                    formset.new_objects.append(
                        services.application_list_member(
                            application=form.instance, person=inline_form.cleaned_data["person"], actor=request.user
                        )
                    )
                except DomainError as exc:
                    messages.error(request, str(exc.message))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "applicant"] if obj else fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            created = services.application_create(
                applicant=form.cleaned_data["applicant"], region=form.cleaned_data["region"], family=form.cleaned_data.get("family"),
                channel=form.cleaned_data["channel"], representative=form.cleaned_data.get("representative"),
                actor=request.user,
            )  # fmt: skip
        except DomainError as exc:
            messages.error(request, str(exc.message))
            raise
        for warning in created.warnings:
            messages.warning(request, warning)
        obj.pk = created.pk
        obj.refresh_from_db()

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class CheckedForm(form):
            def clean(self):
                cleaned = super().clean()
                applicant = cleaned.get("applicant")
                if obj is None and applicant is not None:
                    if StatusApplication.objects.filter(applicant=applicant, state__in=services.OPEN_STATES).exists():
                        raise forms.ValidationError(_("This person already has an open status application."))
                    if KandasStatus.objects.filter(person=applicant, terminated_on__isnull=True).exists():
                        raise forms.ValidationError(_("This person already holds an active kandas status."))
                return cleaned

        return CheckedForm


class StatusActiveFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [("active", _("active")), ("expiring", _("expiring within 30 days")), ("ended", _("ended"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "active":
            return queryset.filter(terminated_on__isnull=True, valid_until__gte=today)
        if self.value() == "expiring":
            return queryset.filter(
                terminated_on__isnull=True, valid_until__range=(today, today + timezone.timedelta(days=30))
            )
        if self.value() == "ended":
            return queryset.filter(Q(terminated_on__isnull=False) | Q(valid_until__lt=today))
        return queryset


@admin.register(KandasStatus)
class KandasStatusAdmin(TransitionAdminMixin, ScopedAdmin):
    selector = staticmethod(selectors.status_list)
    legal_moves = {"active": {"extend", "terminate"}, "ended": {"extend"}}
    transitions = (
        Transition("extend", _("Extend"), "extend",
                   lambda o, u, d: services.status_extend(status=o, actor=u, months=d.get("months")), form_class=ExtendForm),
        Transition("terminate", _("Terminate"), "terminate",
                   lambda o, u, d: services.status_terminate(status=o, actor=u, reason=d["reason"], on=d.get("on"), note=d.get("note", "")),
                   form_class=TerminateForm, style="danger"),
    )  # fmt: skip
    list_display = [
        "certificate_number",
        "person",
        "issued_on",
        "valid_until",
        "extensions",
        "terminated_on",
        "termination_reason",
    ]
    list_filter = [StatusActiveFilter, "termination_reason", dropdown("application__region")]
    search_fields = ["=certificate_number", "person__surname", "person__surname_latin", "=person__iin"]
    list_select_related = ["person"]
    readonly_fields = [*(f.name for f in KandasStatus._meta.fields), "printable_certificate"]
    ordering = ["-issued_on", "-id"]

    @admin.display(description=_("printable certificate"))
    def printable_certificate(self, obj):
        from documents.admin import certificate_links

        return certificate_links(obj) if obj.pk else "—"

    def has_add_permission(self, request):
        return False


@admin.register(Document)
class DocumentAdmin(MaskedDocumentNumberMixin, ScopedAdmin):
    selector = staticmethod(selectors.document_list)
    list_display = ["doc_type", "number", "person", "issued_on", "valid_until", "verified_at", "verified_by"]
    list_filter = ["doc_type", ("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["=number", "person__surname", "person__surname_latin"]
    autocomplete_fields = ["person", "application"]
    readonly_fields = ["verified_by", "verified_at", "uploaded_by", "masked_number"]

    def get_list_display(self, request):
        return self._swap_number(super().get_list_display(request), request)

    def history_masked_fields(self, request, obj):
        return {} if self._shows_numbers(request, obj) else {"number": mask_passport}

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "masked_number"]
        return self._swap_number(fields, request, obj)

    actions = ["verify"]

    @admin.action(description=_("Mark the selected documents as verified"), permissions=["change"])
    def verify(self, request, queryset):
        done = 0
        for document in queryset.filter(verified_at__isnull=True):
            services.document_verify(document=document, actor=request.user)
            done += 1
        self.message_user(request, _("%(n)s document(s) verified.") % {"n": done})

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(DuplicateFlag)
class DuplicateFlagAdmin(ScopedAdmin):
    list_display = ["person", "other", "reason", "similarity", "created_at", "resolved_at", "compare_link"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["person", "other"]
    readonly_fields = ["person", "other", "reason", "similarity", "resolved_at", "resolved_by"]
    actions = ["resolve"]

    def get_queryset(self, request):
        return selectors.duplicate_flag_list(user=request.user)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Mark as checked: not the same person"), permissions=["change"])
    def resolve(self, request, queryset):
        count = queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now(), resolved_by=request.user)
        self.message_user(request, _("%(n)s flag(s) resolved.") % {"n": count})

    @admin.display(description=_("compare"))
    def compare_link(self, obj):
        url = reverse("admin:oralman_duplicateflag_compare", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("compare side by side"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="oralman_duplicateflag_compare",
            ),
            *super().get_urls(),
        ]

    def compare_view(self, request, pk):
        """The two records side by side; POST: "different persons" or merge (keep one of them)."""
        flag = get_object_or_404(self.get_queryset(request), pk=pk)
        # The flag's own permission (the changelist's): a role that reads persons but not their
        # duplicate flags (center staff) is not shown the two records side by side.
        if not self.has_view_permission(request, flag):
            raise PermissionDenied
        person, other = flag.person, flag.other
        other_visible = can(request.user, "view", other)
        if request.method == "POST":
            if not self.has_change_permission(request, flag):
                raise PermissionDenied
            decision = request.POST.get("decision")
            if decision not in ("distinct", "keep_person", "keep_other"):
                return HttpResponseBadRequest()
            try:
                if decision == "distinct":
                    DuplicateFlag.objects.filter(pk=flag.pk, resolved_at__isnull=True).update(
                        resolved_at=timezone.now(), resolved_by=request.user
                    )
                    self.message_user(request, _("Marked as two different persons; this pair is not flagged again."))
                elif decision in ("keep_person", "keep_other") and other_visible:
                    survivor, merged = (person, other) if decision == "keep_person" else (other, person)
                    merging.person_merge(survivor=survivor, other=merged, actor=request.user, flag=flag)
                    self.message_user(
                        request,
                        _("%(merged)s was merged into %(survivor)s. The merge can be undone for %(days)s days.")
                        % {"merged": merged, "survivor": survivor, "days": merging.undo_period().days},
                        messages.SUCCESS,
                    )
                    return redirect("admin:oralman_person_change", survivor.pk)
                else:
                    raise PermissionDenied
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            return redirect("admin:oralman_duplicateflag_compare", flag.pk)
        rows = [
            (
                Person._meta.get_field(name).verbose_name,
                getattr(person, name),
                getattr(other, name) if other_visible else "",
            )
            for name in COMPARED_FIELDS
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Possible duplicate: compare the two records"),
            "flag": flag,
            "person": person,
            "other": other if other_visible else None,
            "rows": rows,
            "may_merge": other_visible and merging.may_merge(request.user, person, other),
            "may_resolve": self.has_change_permission(request, flag) and flag.resolved_at is None,
            "undo_days": merging.undo_period().days,
        }
        return TemplateResponse(request, "admin/oralman/duplicate_compare.html", context)


COMPARED_FIELDS = [
    "surname",
    "given_name",
    "patronymic",
    "surname_latin",
    "given_name_latin",
    "birth_date",
    "sex",
    "iin",
    "passport_number",
    "country_of_origin",
    "region",
    "phone",
    "address",
]


@admin.register(PersonMerge)
class PersonMergeAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    selector = staticmethod(selectors.person_merge_list)
    list_display = ["merged", "survivor", "merged_by", "merged_at", "undone_at"]
    list_filter = [("undone_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["survivor", "merged", "flag", "moved", "fields_taken", "merged_by", "merged_at", "undone_at"]
    change_form_template = "admin/oralman/person_merge_change_form.html"

    def get_urls(self):
        return [
            path("<int:pk>/undo/", self.admin_site.admin_view(self.undo_view), name="oralman_personmerge_undo"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        merge = self.get_object(request, object_id)
        may_undo = (
            merge is not None
            and merge.undone_at is None
            and timezone.now() - merge.merged_at <= merging.undo_period()
            and merging.may_merge(request.user, merge.survivor, merge.merged)
        )
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "may_undo": may_undo})

    def undo_view(self, request, pk):
        merge = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST":
            return redirect("admin:oralman_personmerge_change", merge.pk)
        # Asked before the merge's state: a reader of the merge may not learn anything by posting.
        authz.authorize(request.user, "oralman.merge_person", merge.survivor)
        try:
            merging.person_merge_undo(merge=merge, actor=request.user)
            self.message_user(request, _("The merge was undone: both records are back."), messages.SUCCESS)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        return redirect("admin:oralman_personmerge_change", merge.pk)


@admin.register(StatusRule)
class StatusRuleAdmin(admin.ModelAdmin):
    list_display = [
        "valid_from", "decision_working_days", "commission_working_days", "refuse_incomplete_at_submission",
        "migration_portal_open", "validity_months", "extension_months", "max_extensions", "legal_basis",
    ]  # fmt: skip


@admin.register(StatusRequiredDocument)
class StatusRequiredDocumentAdmin(admin.ModelAdmin):
    list_display = ["doc_type", "for_whom", "needs_translation", "active", "legal_basis"]
    list_filter = ["for_whom", "needs_translation", "active"]


@admin.register(RefusalGround)
class RefusalGroundAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_kk", "name_en", "active"]


# --- Importing arrival lists (oralman.imports) ---------------------------------------------------


class ImportBatchForm(forms.ModelForm):
    class Meta:
        model = ImportBatch
        fields = ["source", "region", "file", "accept_partial"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an XLSX or CSV file."))
        return upload


@admin.register(ImportBatch)
class ImportBatchAdmin(ScopedAdmin):
    selector = staticmethod(selectors.import_batch_list)
    form = ImportBatchForm
    list_display = ["__str__", "region", "state", "progress", "result", "created_by", "created_at"]
    list_filter = ["state"]
    change_form_template = "admin/oralman/import_batch_change_form.html"
    change_list_template = "admin/oralman/import_batch_change_list.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["source", "region", "file", "accept_partial", "state", "progress", "result", "error", "created_by"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["source", "region", "file", "accept_partial"]
        return ["source", "region", "accept_partial", "state", "progress", "result", "error", "created_by"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # An upload is never edited: its page shows the outcome and the confirm button.
        return obj is None and super().has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "region" and field is not None and len(field.queryset[:2]) == 1:
            # A caseworker imports into their one region: chosen already, no empty choice.
            field.initial, field.empty_label = field.queryset.first().pk, None
        return field

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return f"{obj.processed_rows} / {obj.total_rows} ({obj.progress_percent} %)"

    @admin.display(description=_("result"))
    def result(self, obj):
        labels = dict(ImportRow.Outcome.choices)
        return "; ".join(f"{labels.get(k, k)}: {v}" for k, v in sorted(obj.counts.items()))

    def save_model(self, request, obj, form, change):
        if change:
            return
        batch = imports.import_start(
            actor=request.user,
            region=form.cleaned_data["region"],
            source=form.cleaned_data["source"],
            uploaded_file=form.cleaned_data["file"],
            accept_partial=form.cleaned_data["accept_partial"],
        )
        obj.pk = batch.pk

    def get_urls(self):
        return [
            path(
                "template/<str:language>.<str:fmt>",
                self.admin_site.admin_view(self.template_view),
                name="oralman_importbatch_template",
            ),
            path(
                "<int:pk>/confirm/", self.admin_site.admin_view(self.confirm_view), name="oralman_importbatch_confirm"
            ),
            *super().get_urls(),
        ]

    def template_view(self, request, language, fmt):
        if language not in ("ru", "kk", "en") or fmt not in ("xlsx", "csv") or not self.has_view_permission(request):
            raise Http404
        response = HttpResponse(
            imports.template(fmt, language),
            content_type="text/csv; charset=utf-8"
            if fmt == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="arrival-list-{language}.{fmt}"'
        return response

    def confirm_view(self, request, pk):
        batch = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST":
            return redirect("admin:oralman_importbatch_change", batch.pk)
        try:
            imports.import_confirm(batch=batch, actor=request.user)
            self.message_user(request, _("The import has started."), messages.SUCCESS)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        return redirect("admin:oralman_importbatch_change", batch.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, object_id)
        extra = {
            "may_confirm": batch is not None
            and batch.state == ImportBatch.State.CHECKED
            and authz.can(request.user, authz.CHANGE, batch),
            "rows_url": reverse("admin:oralman_importrow_changelist") + f"?batch__id__exact={object_id}",
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def changelist_view(self, request, extra_context=None):
        templates = [
            (language, fmt, reverse("admin:oralman_importbatch_template", args=[language, fmt]))
            for language in ("ru", "kk", "en")
            for fmt in ("xlsx", "csv")
        ]
        return super().changelist_view(request, {**(extra_context or {}), "import_templates": templates})


@admin.register(ImportRow)
class ImportRowAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    selector = staticmethod(selectors.import_row_list)
    list_display = ["line", "external_id", "outcome", "message", "person_link", "imported"]
    list_filter = ["outcome", "imported"]
    ordering = ["batch", "line"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("batch", "person")

    @admin.display(description=_("person"))
    def person_link(self, obj):
        # A match in another region is described in the message without naming the person.
        if obj.person_id is None or obj.person.region_id != obj.batch.region_id:
            return ""
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:oralman_person_change", args=[obj.person_id]), obj.person
        )
