"""The caseworker's desk for citizenship applications. Every write goes through citizenship.services."""

from __future__ import annotations

import dataclasses

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from citizenship import selectors, services
from citizenship.forms import ChildConsentForm, GrantForm, ReasonForm, RefuseForm, ReturnForm
from citizenship.models import (
    CLOCK_RUNNING_STATES,
    OPEN_STATES,
    ApplicationDocument,
    CitizenshipApplication,
    CitizenshipRefusalGround,
    CitizenshipRule,
    CitizenshipTransition,
    FollowingChild,
    HistoricalAdmission,
    RequiredDocument,
    State,
)
from core import authz
from core.admin_base import ScopedAdmin, ScopedInline, Transition, TransitionAdminMixin
from core.errors import DomainError
from core.roles import is_read_only
from oralman.models import Document

S = State


class DeadlineFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("overdue")), ("due_30", _("due within 30 days")), ("on_time", _("on time"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        running = Q(state__in=CLOCK_RUNNING_STATES)
        if self.value() == "overdue":
            return queryset.filter(running, decision_due__lt=today)
        if self.value() == "due_30":
            return queryset.filter(running, decision_due__range=(today, today + timezone.timedelta(days=30)))
        if self.value() == "on_time":
            return queryset.filter(running, decision_due__gte=today)
        return queryset


class TransitionInline(ScopedInline):
    model = CitizenshipTransition
    extra = 0
    can_delete = False
    fields = ["at", "from_state", "to_state", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class FiledDocumentInline(ScopedInline):
    """Documents filed with the application; new ones are filed through the service. The document
    is chosen from the applicant's own case documents in the user's scope (core.authz), not yet filed."""

    model = ApplicationDocument
    extra = 0
    fields = ["document", "doc_type", "verified", "attached_at", "attached_by"]
    readonly_fields = ["doc_type", "verified", "attached_at", "attached_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document", "attached_by")

    @admin.display(description=_("document type"))
    def doc_type(self, obj):
        return obj.document.get_doc_type_display() if obj.document_id else "—"

    @admin.display(description=_("verified"), boolean=True)
    def verified(self, obj):
        return bool(obj.document_id and obj.document.verified_at)

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.state in OPEN_STATES and not is_read_only(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is not None and obj.state in OPEN_STATES and not is_read_only(request.user)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("document")
        if field is not None:
            field.queryset = applicant_documents(request.user, obj)
            field.error_messages["invalid_choice"] = _(
                "Choose one of the applicant's own documents that is not filed yet."
            )
        return formset


def applicant_documents(user, application):
    """The applicant's case documents the user may see (core.authz), not yet filed with it."""
    if application is None:
        return Document.objects.none()
    return (
        authz.scoped(user, Document)
        .filter(person_id=application.person_id)
        .exclude(pk__in=application.filed_documents.values("document_id"))
        .select_related(None)
        .order_by("doc_type", "-uploaded_at")
    )


class FollowingChildInline(admin.TabularInline):
    """Minor children who follow the parent: consents are recorded by the "record consent"
    action (citizenship.services.application_record_child_consent); rows are read-only here."""

    model = FollowingChild
    extra = 0
    can_delete = False
    fields = ["child", "consent_on", "consent_document", "followed_on"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("child", "consent_document")


def _grant_with_messages(request):
    def perform(obj, user, data):
        result = services.application_grant(
            application=obj, actor=user, registering_body=data["registering_body"],
            registration_number=data["registration_number"], registration_date=data["registration_date"],
            iin=data.get("iin") or "",
        )  # fmt: skip
        for warning in result.warnings:
            messages.warning(request, warning)
        if result.terminated_status is not None:
            messages.info(
                request,
                _("Kandas certificate %(number)s ended on %(date)s: citizenship acquired.")
                % {
                    "number": result.terminated_status.certificate_number,
                    "date": result.terminated_status.terminated_on,
                },
            )
        for child in result.children:
            messages.info(request, _("%(child)s followed the parent into citizenship.") % {"child": child.child})
        return result

    return perform


class ApplicationAddForm(forms.ModelForm):
    class Meta:
        model = CitizenshipApplication
        fields = ["person", "basis", "region", "former_citizenship", "submitted_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submitted_on"].initial = timezone.localdate
        self.fields["former_citizenship"].required = False


@admin.register(CitizenshipApplication)
class CitizenshipApplicationAdmin(TransitionAdminMixin, ScopedAdmin):
    selector = staticmethod(selectors.application_list)
    legal_moves = services.LEGAL_TRANSITIONS
    transitions = (
        Transition("review", _("Start review"), S.UNDER_REVIEW,
                   lambda o, u, d: services.application_start_review(application=o, actor=u), form_class=ReasonForm),
        Transition("return", _("Return for documents"), S.RETURNED,
                   lambda o, u, d: services.application_return(application=o, actor=u, reason=d["reason"]), form_class=ReturnForm),
        Transition("resubmit", _("Documents brought: resubmit"), S.SUBMITTED,
                   lambda o, u, d: services.application_resubmit(application=o, actor=u, reason=d.get("reason", "")), form_class=ReasonForm),
        Transition("grant", _("Grant citizenship"), S.GRANTED, lambda o, u, d: None, form_class=GrantForm),
        Transition("child-consent", _("Record a child's consent"), None,
                   lambda o, u, d: services.application_record_child_consent(
                       application=o, child=d["child"], consent_on=d["consent_on"], document=d.get("document"), actor=u),
                   form_class=ChildConsentForm),
        Transition("refuse", _("Refuse"), S.REFUSED,
                   lambda o, u, d: services.application_refuse(application=o, actor=u, ground=d["ground"], note=d.get("note", "")),
                   form_class=RefuseForm, style="danger"),
        Transition("withdraw", _("Withdraw"), S.WITHDRAWN,
                   lambda o, u, d: services.application_withdraw(application=o, actor=u, reason=d.get("reason", "")),
                   form_class=ReasonForm, style="danger"),
    )  # fmt: skip
    list_display = [
        "id", "person", "basis", "region", "state", "submitted_on", "decision_due", "deadline_flag", "decided_on",
    ]  # fmt: skip
    list_filter = ["state", DeadlineFilter, "basis", "region", "former_citizenship"]
    search_fields = [
        "person__surname", "person__given_name", "person__surname_latin", "person__given_name_latin",
        "=person__iin", "=person__passport_number", "=registration_number", "=iin_assigned",
    ]  # fmt: skip
    list_select_related = ["person", "region"]
    autocomplete_fields = ["person", "former_citizenship"]
    readonly_fields = [
        "person", "basis", "region", "former_citizenship", "state", "submitted_on", "decision_due", "deadline_flag",
        "documents_needed", "decided_on", "registering_body", "registration_number", "registration_date",
        "iin_assigned", "refusal_ground", "decision_note", "created_by", "printable_documents",
    ]  # fmt: skip
    inlines = [FiledDocumentInline, FollowingChildInline, TransitionInline]
    ordering = ["-submitted_on", "-id"]
    date_hierarchy = "submitted_on"

    def available_transitions(self, request, obj):
        moves = [
            dataclasses.replace(t, perform=_grant_with_messages(request)) if t.name == "grant" else t
            for t in super().available_transitions(request, obj)
        ]
        # Recording a child's consent changes no state: offered while the application is open and
        # a child of 14 to 18 on the family file could follow.
        if moves and obj.state in OPEN_STATES:
            children = services.children_needing_consent(obj)
            if children:
                consent = next(t for t in self.transitions if t.name == "child-consent")
                moves.insert(-2, dataclasses.replace(consent, form_class=ChildConsentForm.for_children(children)))
        return moves

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApplicationAddForm
            kwargs["fields"] = ApplicationAddForm.Meta.fields
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj else ApplicationAddForm.Meta.fields

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    @admin.display(description=_("deadline"))
    def deadline_flag(self, obj):
        overdue = getattr(obj, "overdue", None)
        if overdue is None:
            overdue = obj.is_overdue()
        if overdue:
            return format_html('<strong style="color:#ba2121">{}</strong>', _("overdue"))
        return _("on time") if obj.state in CLOCK_RUNNING_STATES else "—"

    @admin.display(description=_("documents still needed"))
    def documents_needed(self, obj):
        if obj.state not in OPEN_STATES:
            return "—"
        missing = services.missing_documents(obj)
        if not missing:
            return _("all required documents are filed and verified")
        from oralman.models import DocumentType

        return ", ".join(str(DocumentType(t).label) for t in missing)

    @admin.display(description=_("printable documents"))
    def printable_documents(self, obj):
        from documents.admin import certificate_links, decision_links

        parts = []
        if obj.state in ("granted", "refused"):
            parts.append(decision_links(obj))
        for status in obj.person.statuses.all():
            parts.append(certificate_links(status))
        return format_html_join("", "<div>{}</div>", ((p,) for p in parts)) if parts else "—"

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.application_submit(
            person=form.cleaned_data["person"], basis=form.cleaned_data["basis"], region=form.cleaned_data["region"],
            former_citizenship=form.cleaned_data.get("former_citizenship"),
            submitted_on=form.cleaned_data.get("submitted_on"), actor=request.user,
        )  # fmt: skip
        obj.pk = created.pk
        obj.refresh_from_db()

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            from django.shortcuts import redirect

            return redirect(request.get_full_path())

    def save_formset(self, request, form, formset, change):
        if formset.model is not ApplicationDocument:
            return super().save_formset(request, form, formset, change)
        # The admin's change message reads these three lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if inline_form.cleaned_data.get("DELETE") and inline_form.instance.pk:
                inline_form.instance.delete()
                formset.deleted_objects.append(inline_form.instance)
            elif not inline_form.instance.pk and inline_form.cleaned_data.get("document"):
                try:
                    formset.new_objects.append(
                        services.application_attach_document(
                            application=form.instance, document=inline_form.cleaned_data["document"], actor=request.user
                        )
                    )
                except DomainError as exc:
                    messages.error(request, str(exc.message))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "reports_url": reverse("reports:index")}
        return super().changelist_view(request, extra_context)


class ConfigAdmin(admin.ModelAdmin):
    """Reference lists the administrator maintains; everyone else reads them."""


@admin.register(CitizenshipRule)
class CitizenshipRuleAdmin(ConfigAdmin):
    list_display = ["valid_from", "decision_months", "legal_basis"]


@admin.register(RequiredDocument)
class RequiredDocumentAdmin(ConfigAdmin):
    list_display = ["basis", "doc_type", "active"]
    list_filter = ["basis", "active"]


@admin.register(CitizenshipRefusalGround)
class CitizenshipRefusalGroundAdmin(ConfigAdmin):
    list_display = ["code", "name_ru", "name_kk", "name_en", "active"]
    search_fields = ["code", "name_ru", "name_kk", "name_en"]


@admin.register(HistoricalAdmission)
class HistoricalAdmissionAdmin(ConfigAdmin):
    list_display = ["year", "region", "basis", "former_citizenship", "count", "illustrative", "source"]
    list_filter = ["illustrative", "basis", "year", "region"]
    list_select_related = ["region", "former_citizenship"]
    show_full_result_count = False
