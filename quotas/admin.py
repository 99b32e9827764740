"""The quota desk. Every write goes through quotas.services; the admin only shows and asks."""

from __future__ import annotations

import dataclasses

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import authz
from core.admin_base import ReasonForm, ScopedAdmin, ScopedInline, Transition, TransitionAdminMixin
from core.admin_filters import dropdown
from core.audit import acting
from core.errors import DomainError
from core.models import Region
from core.roles import Role, role_of
from core.scoping import allowed_region_ids
from oralman import selectors as oralman_selectors
from oralman.models import Person
from quotas import selectors, services
from quotas.models import (
    HOLDING_STATES,
    AllocationRun,
    BenefitInstalment,
    BenefitRates,
    MciValue,
    PriorityCategory,
    QuotaRequest,
    QuotaYear,
    RegionalQuota,
    RequestState,
)

R = RequestState


# --- The year and its split ---------------------------------------------------------------------


class RegionalQuotaFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        total = self.instance.national_total or 0
        split = sum(
            f.cleaned_data.get("places") or 0 for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
        )
        if split > total:
            raise forms.ValidationError(
                _("The split gives %(split)s places, more than the national total of %(total)s.")
                % {"split": split, "total": total}
            )


class RegionalQuotaInline(ScopedInline):
    model = RegionalQuota
    formset = RegionalQuotaFormSet
    extra = 0
    fields = ["region", "places", "used", "remaining"]
    readonly_fields = ["used", "remaining"]
    can_delete = False

    @admin.display(description=_("remaining"))
    def remaining(self, obj):
        return obj.remaining if obj.pk else "—"


@admin.register(QuotaYear)
class QuotaYearAdmin(ScopedAdmin):
    list_display = ["year", "unit", "national_total", "split", "act_title", "act_number", "act_date", "is_open"]
    list_filter = ["unit", "is_open"]
    ordering = ["-year"]
    inlines = [RegionalQuotaInline]
    actions = ["start_runs"]
    fields = ["year", "unit", "national_total", "oversize_rule", "is_open", "act_title", "act_number", "act_date", "note"]  # fmt: skip

    def get_queryset(self, request):
        return selectors.quota_year_list(user=request.user).prefetch_related("shares")

    @admin.display(description=_("regional split"))
    def split(self, obj):
        return sum(s.places for s in obj.shares.all())

    def get_readonly_fields(self, request, obj=None):
        return ["year", "unit"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.quota_year_create(
                actor=request.user, **{k: form.cleaned_data[k] for k in form.cleaned_data if k != "note"}
            )
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        if "national_total" in form.changed_data:
            services.quota_year_set_total(quota_year=obj, national_total=form.cleaned_data["national_total"], actor=request.user)  # fmt: skip
        if "is_open" in form.changed_data:
            services.quota_year_set_open(quota_year=obj, is_open=form.cleaned_data["is_open"], actor=request.user)
        others = [f for f in form.changed_data if f not in ("national_total", "is_open")]
        if others:
            with acting(request.user):
                obj.save(update_fields=others)

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            data = inline_form.cleaned_data
            if not data or not inline_form.has_changed():
                continue
            existed = inline_form.instance.pk is not None
            share = services.regional_quota_set(
                quota_year=form.instance, region=data["region"], places=data["places"], actor=request.user
            )
            if existed:
                formset.changed_objects.append((share, inline_form.changed_data))
            else:
                formset.new_objects.append(share)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect(request.get_full_path())

    @admin.action(description=_("Start an allocation run for the selected years"), permissions=["start"])
    def start_runs(self, request, queryset):
        for year in queryset:
            try:
                run = services.allocation_run_start(quota_year=year, actor=request.user)
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("%(run)s is queued.") % {"run": run})

    def has_start_permission(self, request):
        return authz.can(request.user, "quotas.start_allocationrun", AllocationRun)


# --- Priority categories, MCI and benefit rates (reference data, editable by administrators) ----


@admin.register(PriorityCategory)
class PriorityCategoryAdmin(ScopedAdmin):
    list_display = ["rank", "code", "name_ru", "name_kk", "name_en", "active"]
    list_display_links = ["code"]
    list_editable = ["rank", "active"]
    ordering = ["rank"]
    search_fields = ["code", "name_ru", "name_kk", "name_en"]


@admin.register(MciValue)
class MciValueAdmin(ScopedAdmin):
    list_display = ["year", "tenge", "legal_basis"]
    ordering = ["-year"]


@admin.register(BenefitRates)
class BenefitRatesAdmin(ScopedAdmin):
    list_display = [
        "year", "relocation_mci_per_member", "rent_mci_per_month", "rent_mci_per_month_large_family",
        "large_family_from_members", "rent_months", "housing_certificate_mode", "housing_certificate_percent",
        "housing_certificate_cap_mci", "employer_subsidy_mci",
    ]  # fmt: skip
    ordering = ["-year"]


# --- Requests -------------------------------------------------------------------------------------


class QuotaRequestAddForm(forms.ModelForm):
    class Meta:
        model = QuotaRequest
        fields = ["family", "quota_year", "region", "categories"]


class InstalmentInline(ScopedInline):
    model = BenefitInstalment
    extra = 0
    can_delete = False
    fields = ["kind", "sequence", "due_on", "amount_mci", "mci_tenge", "amount_tenge", "payee", "employee", "paid_on"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReleaseForm(ReasonForm):
    reason = forms.CharField(label=_("Why is the place released?"), widget=forms.Textarea(attrs={"rows": 3}))


def _decline(obj, user, data):
    return services.quota_request_decline(request=obj, actor=user, reason=data.get("reason", ""))


def _release(obj, user, data):
    return services.quota_request_release(request=obj, actor=user, reason=data.get("reason", ""))


def _settle(obj, user, data):
    return services.quota_request_settle(request=obj, actor=user)


class HousingCertificateForm(forms.Form):
    home_price_tenge = forms.DecimalField(label=_("Price of the home, tenge"), min_value=1, decimal_places=2)
    due_on = forms.DateField(label=_("Due on"))


class EmployerSubsidyForm(forms.Form):
    employee = forms.ModelChoiceField(label=_("Employed family member"), queryset=Person.objects.none())
    employer = forms.CharField(label=_("Employer"), max_length=300)
    due_on = forms.DateField(label=_("Due on"))

    @classmethod
    def for_request(cls, request_obj) -> type[EmployerSubsidyForm]:
        members = request_obj.family.members.filter(left_on__isnull=True).values("person_id")

        class _Form(cls):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["employee"].queryset = Person.objects.filter(pk__in=members)

        return _Form


def _housing(obj, user, data):
    return services.housing_certificate_issue(
        request=obj, home_price_tenge=data["home_price_tenge"], actor=user, due_on=data["due_on"]
    )


def _employer_subsidy(obj, user, data):
    return services.employer_subsidy_grant(
        request=obj, employee=data["employee"], employer=data["employer"], actor=user, due_on=data["due_on"]
    )


# Payments to an included family change no state: offered while the family holds its places.
BENEFIT_ACTIONS = (
    Transition("housing", _("Issue the housing certificate"), None, _housing, form_class=HousingCertificateForm),
    Transition("employer-subsidy", _("Grant the employers' subsidy"), None, _employer_subsidy,
               form_class=EmployerSubsidyForm),
)  # fmt: skip


@admin.register(QuotaRequest)
class QuotaRequestAdmin(TransitionAdminMixin, ScopedAdmin):
    selector = staticmethod(selectors.quota_request_list)
    legal_moves = services.LEGAL_TRANSITIONS
    transitions = (
        Transition("decline", _("Declined by the family"), R.DECLINED, _decline, style="danger"),
        Transition("release", _("Release the place"), R.RELEASED, _release, form_class=ReleaseForm, style="danger"),
        Transition("settle", _("Arrived, benefits paid: settle"), R.SETTLED, _settle, form_class=forms.Form),
    )
    list_display = [
        "id", "family", "quota_year", "region", "places", "state", "rank", "waitlist_position",
        "deciding_category", "run_link", "submitted_at",
    ]  # fmt: skip
    list_filter = ["quota_year", "state", dropdown("region"), "deciding_category"]
    list_select_related = ["family__head", "quota_year", "region", "deciding_category", "decided_by_run"]
    search_fields = ["family__head__surname", "family__head__surname_latin", "=family__head__iin", "=id"]
    ordering = ["quota_year", "region_id", "rank", "submitted_at", "id"]
    inlines = [InstalmentInline]
    readonly_fields = [
        "family", "quota_year", "region", "members_count", "places", "submitted_at", "state", "explanation",
        "rank", "waitlist_position", "deciding_category", "decided_by_run", "decided_at", "closed_at",
        "close_reason", "categories",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["family", "quota_year", "region", "categories", ("members_count", "places"), "submitted_at"]}),
        (_("Decision"), {"fields": ["state", "explanation", ("rank", "waitlist_position"), "deciding_category",
                                    ("decided_by_run", "decided_at"), ("closed_at", "close_reason")]}),
    ]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    def available_transitions(self, request, obj):
        moves = super().available_transitions(request, obj)
        if obj is None or obj.state not in HOLDING_STATES or not self.has_change_permission(request, obj):
            return moves
        housing, employer = BENEFIT_ACTIONS
        return [*moves, housing, dataclasses.replace(employer, form_class=EmployerSubsidyForm.for_request(obj))]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = QuotaRequestAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["family", "quota_year", "region", "categories"]})]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "family":
            kwargs["queryset"] = oralman_selectors.family_list(user=request.user)
        if db_field.name == "quota_year":
            kwargs["queryset"] = QuotaYear.objects.filter(is_open=True)
        if db_field.name == "region":
            allowed = allowed_region_ids(request.user)
            kwargs["queryset"] = Region.objects.all() if allowed is None else Region.objects.filter(pk__in=allowed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "categories":
            kwargs["queryset"] = PriorityCategory.objects.filter(active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = services.quota_request_create(
            family=data["family"], quota_year=data["quota_year"], region=data["region"],
            categories=data.get("categories") or [], actor=request.user,
        )  # fmt: skip
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """The service already set the categories."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect(request.get_full_path())

    @admin.display(description=_("decided by"), ordering="decided_by_run")
    def run_link(self, obj):
        if not obj.decided_by_run_id:
            return "—"
        url = reverse("admin:quotas_allocationrun_change", args=[obj.decided_by_run_id])
        return format_html('<a href="{}">{}</a>', url, obj.decided_by_run_id)

    @admin.display(description=_("why"))
    def explanation(self, obj):
        return services.quota_request_explanation(obj)


# --- Runs ------------------------------------------------------------------------------------------


class StartRunForm(forms.Form):
    quota_year = forms.ModelChoiceField(label=_("Quota year"), queryset=QuotaYear.objects.filter(is_open=True))
    region = forms.ModelChoiceField(
        label=_("Only this region"), queryset=Region.objects.all(), required=False,
        help_text=_("Empty: every region of the year's split."),
    )  # fmt: skip


@admin.register(AllocationRun)
class AllocationRunAdmin(ScopedAdmin):
    selector = staticmethod(selectors.allocation_run_list)
    list_display = [
        "id", "quota_year", "region", "kind", "status", "progress", "considered", "allocated", "waitlisted",
        "changed", "requested_by", "created_at", "finished_at",
    ]  # fmt: skip
    list_filter = ["quota_year", "kind", "status"]
    ordering = ["-created_at", "-id"]
    readonly_fields = [
        "quota_year", "region", "kind", "status", "progress", "oversize_rule", "requested_by", "regions_total",
        "regions_done", "considered", "allocated", "waitlisted", "changed", "created_at", "started_at", "finished_at",
    ]  # fmt: skip
    # The job's internals (Celery task, attempts, the error's text) help only whoever runs the servers.
    # Read from the run's row only: reading the Celery result in the request would ask the result
    # backend (and, with eager tasks, warn "Results are not stored…" on the page's request).
    internals = ["task_id", "dispatched_at", "attempts", "error"]
    change_list_template = "admin/quotas/allocationrun/change_list.html"
    change_form_template = "admin/quotas/allocationrun/change_form.html"
    decisions_per_page = 50

    def _shows_internals(self, request) -> bool:
        return role_of(request.user) == Role.ADMINISTRATOR

    def get_fields(self, request, obj=None):
        return [*self.readonly_fields, *(self.internals if self._shows_internals(request) else [])]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The run's facts and, below them, the requests it decided: one page of 50 at a time, in
        a constant number of queries (the count and the page)."""
        run = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        extra_context["can_resume"] = self._can_resume(request, run)
        if run is not None:
            decisions = selectors.allocation_run_decisions(run=run, user=request.user)
            page = Paginator(decisions, self.decisions_per_page).get_page(request.GET.get("page"))
            for quota_request in page.object_list:
                quota_request.explanation_text = services.quota_request_explanation(quota_request)
            extra_context["decisions"] = page
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return format_html(
            '<progress value="{}" max="100" title="{}%"></progress> {}/{}',
            obj.progress_percent, obj.progress_percent, obj.regions_done, obj.regions_total,
        )  # fmt: skip

    def get_urls(self):
        return [
            path("start/", self.admin_site.admin_view(self.start_view), name="quotas_allocationrun_start"),
            path(
                "<path:object_id>/resume/",
                self.admin_site.admin_view(self.resume_view),
                name="quotas_allocationrun_resume",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_start": self._can_start(request)}
        return super().changelist_view(request, extra_context)

    def _can_start(self, request) -> bool:
        return authz.can(request.user, "quotas.start_allocationrun", AllocationRun)

    def _can_resume(self, request, run) -> bool:
        return (
            run is not None
            and run.status in (AllocationRun.Status.FAILED, AllocationRun.Status.RUNNING)
            and authz.can(request.user, "quotas.start_allocationrun", run)
        )

    def resume_view(self, request, object_id):
        """POST: resume a failed or stalled run from where it stopped (services.allocation_run_resume)."""
        run = self.get_object(request, object_id)  # scoped: a run out of reach is a 404
        if run is None:
            raise Http404
        if not authz.can(request.user, "quotas.start_allocationrun", run):
            raise PermissionDenied
        if request.method != "POST":
            return redirect(reverse("admin:quotas_allocationrun_change", args=[run.pk]))
        try:
            services.allocation_run_resume(run=run, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("%(run)s is resumed from the regions it had not decided.") % {"run": run})
        return redirect(reverse("admin:quotas_allocationrun_change", args=[run.pk]))

    def start_view(self, request):
        if not self._can_start(request):
            raise PermissionDenied
        form = StartRunForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                run = services.allocation_run_start(
                    quota_year=form.cleaned_data["quota_year"], region=form.cleaned_data["region"], actor=request.user
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("%(run)s is queued; its progress is shown below.") % {"run": run})
                return redirect(reverse("admin:quotas_allocationrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Start an allocation run"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/quotas/allocationrun/start.html", context)


@admin.register(BenefitInstalment)
class BenefitInstalmentAdmin(ScopedAdmin):
    selector = staticmethod(selectors.instalment_list)
    list_display = ["request", "kind", "sequence", "due_on", "amount_mci", "amount_tenge", "paid_on"]
    list_filter = ["kind", "paid_on"]
    ordering = ["due_on", "request_id", "kind", "sequence"]
    readonly_fields = ["request", "kind", "sequence", "due_on", "amount_mci", "mci_tenge", "amount_tenge", "payee", "employee", "paid_on", "paid_by"]  # fmt: skip
    actions = ["mark_paid"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("request__quota_year")

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Record the selected instalments as paid today"), permissions=["change"])
    def mark_paid(self, request, queryset):
        for instalment in queryset.filter(paid_on__isnull=True):
            try:
                services.instalment_pay(instalment=instalment, actor=request.user)
            except DomainError as exc:
                messages.error(request, str(exc.message))
