"""The center staff's desk and the centers' records in the admin. Every write goes through
adaptation_centers.services; every list comes from adaptation_centers.selectors (scoped)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from adaptation_centers import selectors, services
from adaptation_centers.forms import (
    CheckInForm,
    CheckOutForm,
    CourseSessionForm,
    ExtendStayForm,
    GroupServiceForm,
    RegisterArrivalForm,
)
from adaptation_centers.models import (
    Center,
    CenterStaff,
    Course,
    CourseEnrolment,
    Placement,
    PlacementAlert,
    PlacementExtension,
    PlacementOccupant,
    PlanItem,
    Referral,
    ReferralState,
    ServiceKind,
    ServiceRecord,
)
from core import authz
from core.admin_base import ScopedAdmin, ScopedInline, Transition, TransitionAdminMixin
from core.admin_filters import dropdown
from core.errors import DomainError
from core.roles import Role, role_of
from oralman.models import Person


def _form_error(form, exc: DomainError) -> None:
    """Show a refused rule next to its field (or on top of the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _errors_banner(request, form) -> None:
    """A form's errors also as the banner on top of the page (the form may be far below): each
    message with the label of its field, which the form highlights (error_css_class)."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            messages.error(request, f"{capfirst(label)}: {error}" if label else error)


# --- Centers and the desk ----------------------------------------------------------------------


class CenterStaffForm(forms.ModelForm):
    class Meta:
        model = CenterStaff
        fields = ["user", "since"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if role_of(user) != Role.CENTER_STAFF:
            raise forms.ValidationError(_("%(user)s does not have the center staff role.") % {"user": user})
        return user


class CenterStaffInline(ScopedInline):
    model = CenterStaff
    form = CenterStaffForm
    extra = 1
    fields = ["user", "since"]
    autocomplete_fields = ["user"]
    verbose_name_plural = gettext_lazy("staff of this center")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class CenterForm(forms.ModelForm):
    class Meta:
        model = Center
        fields = [
            "name_ru", "name_kk", "name_en", "kind", "region", "address", "phone", "email", "capacity",
            "max_stay_months", "is_open",
        ]  # fmt: skip

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk and capacity is not None:
            taken = services.beds_taken(self.instance)
            if capacity < taken:
                raise forms.ValidationError(
                    _("%(taken)s beds are taken now; the capacity cannot be lower.") % {"taken": taken}
                )
        return capacity


@admin.register(Center)
class CenterAdmin(ScopedAdmin):
    selector = staticmethod(selectors.center_list)
    form = CenterForm
    list_display = ["name", "kind", "region", "capacity", "beds_taken_col", "free_beds_col", "is_open", "desk_link"]
    list_filter = ["kind", dropdown("region"), "is_open"]
    search_fields = ["name_ru", "name_kk", "name_en", "address"]
    ordering = ["name_ru", "id"]

    def get_inlines(self, request, obj):
        return [CenterStaffInline] if role_of(request.user) == Role.ADMINISTRATOR else []

    def get_list_display(self, request):
        """Caseworkers see every center's free beds, but not the desks (the clerks' tool)."""
        columns = super().get_list_display(request)
        if role_of(request.user) == Role.CASEWORKER:
            return [c for c in columns if c != "desk_link"]
        return columns

    @admin.display(description=gettext_lazy("beds taken"), ordering="beds_taken")
    def beds_taken_col(self, obj):
        return obj.beds_taken

    @admin.display(description=gettext_lazy("free beds"))
    def free_beds_col(self, obj):
        return max(obj.capacity - obj.beds_taken, 0)

    @admin.display(description=gettext_lazy("desk"))
    def desk_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:adaptation_centers_center_desk", args=[obj.pk]), _("Open the desk")
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("desk/", view(self.my_desk_view), name="adaptation_centers_center_my_desk"),
            path("<int:object_id>/desk/", view(self.desk_view), name="adaptation_centers_center_desk"),
            path("<int:object_id>/desk/check-in/", view(self.check_in_view), name="adaptation_centers_center_check_in"),
            path(
                "<int:object_id>/desk/check-out/<int:placement_id>/",
                view(self.check_out_view),
                name="adaptation_centers_center_check_out",
            ),
            path(
                "<int:object_id>/desk/undo-check-out/<int:placement_id>/",
                view(self.undo_check_out_view),
                name="adaptation_centers_center_undo_check_out",
            ),
            path("<int:object_id>/desk/services/", view(self.services_view), name="adaptation_centers_center_services"),
            path(
                "<int:object_id>/desk/register-arrival/",
                view(self.register_arrival_view),
                name="adaptation_centers_center_register_arrival",
            ),
            *super().get_urls(),
        ]

    def _center(self, request, object_id) -> Center:
        center = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not services.can_open_desk(request.user, center):
            raise PermissionDenied
        return center

    def my_desk_view(self, request):
        """Center staff land on their center's desk (the first one, if they staff several)."""
        center = self.get_queryset(request).filter(staff__user=request.user).order_by("pk").first()
        if center is None:
            return redirect("admin:adaptation_centers_center_changelist")
        return redirect("admin:adaptation_centers_center_desk", center.pk)

    def desk_view(self, request, object_id, *, check_in_form=None, service_form=None, arrival_form=None, status=200):
        center = self._center(request, object_id)
        authz.authorize(request.user, authz.VIEW, center)
        desk = selectors.center_desk(center=center)
        can_manage = services.can_manage_center(request.user, center, action="add")
        can_register = services.can_manage_center(request.user, center, action="register_arrival", model=Referral)
        residents = desk.residents
        referrals = selectors.open_referrals_at(center=center)
        for referral in referrals:  # the button only for a referral the check-in would accept
            referral.center = center
            referral.check_in_refusal = (
                services.referral_check_in_refusal(referral=referral, actor=request.user) if can_manage else None
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Desk: %(center)s") % {"center": center},
            "opts": self.model._meta,
            "center": center,
            "desk": desk,
            "residents": residents,
            "overstay_ids": {p.pk for p in desk.overstays},
            "can_manage": can_manage,
            "check_in_form": check_in_form or CheckInForm(),
            "referrals": referrals,
            "can_register": can_register,
            "arrival_form": arrival_form or RegisterArrivalForm(),
            "undoable": [(p, services.check_out_undo_until(p)) for p in selectors.check_outs_undoable(center=center)],
            "service_form": service_form or GroupServiceForm(residents=residents),
        }
        return TemplateResponse(request, "admin/adaptation_centers/desk.html", context, status=status)

    def check_in_view(self, request, object_id):
        """Check in by a referral's button, or by the IIN or passport number of a referred person."""
        center = self._center(request, object_id)
        if request.method != "POST":
            return redirect("admin:adaptation_centers_center_desk", center.pk)
        authz.authorize(request.user, "adaptation_centers.add_placement", center)
        form = CheckInForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            options = {
                "beds": data["beds"], "check_in_on": data["check_in_on"],
                "planned_check_out_on": data["planned_check_out_on"], "note": data["note"],
            }  # fmt: skip
            try:
                if data["referral"]:
                    referral = get_object_or_404(
                        selectors.referral_list(user=request.user).filter(center=center, state=ReferralState.OPEN),
                        pk=data["referral"],
                    )
                    placement = services.placement_check_in_by_referral(
                        referral=referral, actor=request.user, **options
                    )
                else:
                    placement = services.placement_check_in_by_identifier(
                        center=center, actor=request.user, identifier=data["identifier"],
                        whole_family=data["whole_family"], **options,
                    )  # fmt: skip
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Checked in: %(who)s, %(beds)s bed(s), until %(date)s.")
                    % {
                        "who": placement,
                        "beds": placement.beds,
                        "date": date_format(placement.planned_check_out_on, "SHORT_DATE_FORMAT"),
                    },
                )
                return redirect("admin:adaptation_centers_center_desk", center.pk)
        _errors_banner(request, form)
        return self.desk_view(request, object_id, check_in_form=form, status=400)

    def register_arrival_view(self, request, object_id):
        """An unannounced arrival: a minimal case file and an open referral to this center."""
        center = self._center(request, object_id)
        if request.method != "POST":
            return redirect("admin:adaptation_centers_center_desk", center.pk)
        authz.authorize(request.user, "adaptation_centers.register_arrival_referral", center)
        form = RegisterArrivalForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            note = data.pop("note")
            try:
                referral = services.referral_register_arrival(center=center, actor=request.user, note=note, **data)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Arrival registered: %(who)s. Check them in from the list of expected arrivals.")
                    % {"who": referral.person},
                )
                return redirect("admin:adaptation_centers_center_desk", center.pk)
        _errors_banner(request, form)
        return self.desk_view(request, object_id, arrival_form=form, status=400)

    def check_out_view(self, request, object_id, placement_id):
        """GET: the confirmation step (who leaves, how many beds free up, the reason to choose);
        POST: the check-out, then back to the desk, where it can be undone for a few minutes."""
        center = self._center(request, object_id)
        placement = get_object_or_404(
            selectors.placement_list(user=request.user).filter(center=center), pk=placement_id
        )
        if request.method == "POST":
            authz.authorize(request.user, authz.CHANGE, placement)  # readers of the desk get a 403
        if not services.can_manage_center(request.user, center) or placement.checked_out_on is not None:
            return redirect("admin:adaptation_centers_center_desk", center.pk)
        authz.authorize(request.user, authz.CHANGE, placement)
        form = CheckOutForm(request.POST or None)
        if request.method == "POST":
            if form.is_valid():
                try:
                    services.placement_check_out(
                        placement=placement, actor=request.user, reason=form.cleaned_data["reason"],
                        checked_out_on=form.cleaned_data["checked_out_on"], note=form.cleaned_data["note"],
                    )  # fmt: skip
                except DomainError as exc:
                    _form_error(form, exc)
                else:
                    messages.success(
                        request,
                        _("Checked out: %(who)s. You can undo this on the desk for %(minutes)s minutes.")
                        % {"who": placement, "minutes": settings.KANDAS_CHECKOUT_UNDO_MINUTES},
                    )
                    return redirect("admin:adaptation_centers_center_desk", center.pk)
            _errors_banner(request, form)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Check out: %(who)s") % {"who": placement},
            "opts": self.model._meta,
            "center": center,
            "placement": placement,
            "occupants": [o.person for o in placement.occupants.select_related("person") if o.checked_out_on is None],
            "form": form,
            "undo_minutes": settings.KANDAS_CHECKOUT_UNDO_MINUTES,
        }
        status = 400 if form.is_bound else 200
        return TemplateResponse(request, "admin/adaptation_centers/check_out_confirm.html", context, status=status)

    def undo_check_out_view(self, request, object_id, placement_id):
        center = self._center(request, object_id)
        if request.method != "POST":
            return redirect("admin:adaptation_centers_center_desk", center.pk)
        placement = get_object_or_404(
            selectors.placement_list(user=request.user).filter(center=center), pk=placement_id
        )
        authz.authorize(request.user, authz.CHANGE, placement)
        try:
            services.placement_check_out_undo(placement=placement, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Check-out undone: %(who)s is staying again.") % {"who": placement})
        return redirect("admin:adaptation_centers_center_desk", center.pk)

    def services_view(self, request, object_id):
        center = self._center(request, object_id)
        if request.method != "POST":
            return redirect("admin:adaptation_centers_center_desk", center.pk)
        authz.authorize(request.user, "adaptation_centers.add_servicerecord", center)
        residents = selectors.center_desk(center=center).residents
        form = GroupServiceForm(request.POST, residents=residents)
        if form.is_valid():
            data = form.cleaned_data
            persons = list(Person.objects.filter(pk__in=[int(pk) for pk in data["persons"]]))
            try:
                records = services.service_record_log(
                    center=center, kind=data["kind"], persons=persons, actor=request.user, given_on=data["given_on"],
                    hours=data["hours"], outcome=data["outcome"], language_level=data["language_level"],
                    note=data["note"],
                )  # fmt: skip
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(kind)s logged for %(n)s person(s).") % {"kind": data["kind"], "n": len(records)},
                )
                return redirect("admin:adaptation_centers_center_desk", center.pk)
        _errors_banner(request, form)
        return self.desk_view(request, object_id, service_form=form, status=400)


# --- Placements ------------------------------------------------------------------------------------


class StayFilter(admin.SimpleListFilter):
    title = gettext_lazy("stay")
    parameter_name = "stay"

    def lookups(self, request, model_admin):
        return [
            ("staying", _("staying now")),
            ("leaving", _("leaving within 7 days")),
            ("overstay", _("stay overrun")),
            ("ended", _("ended")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        open_ = Q(checked_out_on__isnull=True)
        if self.value() == "staying":
            return queryset.filter(open_)
        if self.value() == "leaving":
            return queryset.filter(open_, planned_check_out_on__range=(today, today + timezone.timedelta(days=7)))
        if self.value() == "overstay":
            return queryset.filter(open_, planned_check_out_on__lt=today)
        if self.value() == "ended":
            return queryset.filter(checked_out_on__isnull=False)
        return queryset


class ReadOnlyInline(ScopedInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OccupantInline(ReadOnlyInline):
    model = PlacementOccupant
    fields = ["person", "check_in_on", "checked_out_on"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class ExtensionInline(ReadOnlyInline):
    model = PlacementExtension
    fields = ["at", "previous_check_out_on", "new_check_out_on", "reason", "actor"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class PlanItemInline(ScopedInline):
    model = PlanItem
    extra = 1
    fields = ["person", "kind", "planned_by", "note"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "person":
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Person.objects.filter(center_stays__placement_id=object_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "kind")


def _check_out(placement, user, data):
    services.placement_check_out(
        placement=placement, actor=user, reason=data["reason"], checked_out_on=data.get("checked_out_on"),
        note=data.get("note", ""),
    )  # fmt: skip


def _extend(placement, user, data):
    services.placement_extend(placement=placement, until=data["until"], reason=data["reason"], actor=user)


@admin.register(Placement)
class PlacementAdmin(TransitionAdminMixin, ScopedAdmin):
    selector = staticmethod(selectors.placement_list)
    legal_moves = {"active": {"check_out", "extend"}, "ended": set()}
    transitions = (
        Transition("extend", gettext_lazy("Extend the stay"), "extend", _extend, form_class=ExtendStayForm),
        Transition("check_out", gettext_lazy("Check out"), "check_out", _check_out, form_class=CheckOutForm, style="danger"),
    )  # fmt: skip
    list_display = [
        "person", "family", "center", "beds", "check_in_on", "planned_check_out_on", "checked_out_on", "stay_flag",
    ]  # fmt: skip
    list_filter = [StayFilter, dropdown("center"), dropdown("center__region"), "check_out_reason"]
    search_fields = ["person__surname", "person__given_name", "person__surname_latin", "=person__iin"]
    readonly_fields = [
        "center", "family", "person", "beds", "check_in_on", "planned_check_out_on", "checked_out_on",
        "check_out_reason", "check_out_note", "created_by", "created_at",
    ]  # fmt: skip
    fields = [*readonly_fields, "note"]
    inlines = [OccupantInline, ExtensionInline, PlanItemInline]
    ordering = ["-check_in_on", "-id"]

    @admin.display(description=gettext_lazy("stay"))
    def stay_flag(self, obj):
        if obj.is_overstay():
            return format_html('<strong style="color:#ba2121">{}</strong>', _("stay overrun"))
        return _("staying") if obj.checked_out_on is None else _("ended")

    def has_add_permission(self, request):
        return False  # arrivals are checked in on the center's desk


# --- Referrals -----------------------------------------------------------------------------------


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["center", "person", "family", "referred_on", "status_holder_reason", "note"]

    actor = None  # set by ReferralAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "person" in self.fields:
            self.fields["person"].required = False
            self.fields["person"].help_text = _("The single person; for a family choose the family instead.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("family") is not None:
            cleaned["person"] = cleaned["family"].head
        elif cleaned.get("person") is None and not self.instance.pk:
            self.add_error("person", _("Refer either a family or a single person."))
        if self.instance.pk or self.errors:
            return cleaned
        try:
            services.referral_check(
                center=cleaned["center"], actor=self.actor, person=None if cleaned.get("family") else cleaned.get("person"),
                family=cleaned.get("family"), status_holder_reason=cleaned.get("status_holder_reason", ""),
                referred_on=cleaned.get("referred_on"),
            )  # fmt: skip
        except DomainError as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, str(exc.message))
        return cleaned


class CancelReferralForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("reason for cancelling"), widget=forms.Textarea(attrs={"rows": 3}))


def _cancel_referral(referral, user, data):
    services.referral_cancel(referral=referral, actor=user, reason=data["reason"])


@admin.register(Referral)
class ReferralAdmin(TransitionAdminMixin, ScopedAdmin):
    """Caseworkers refer their region's persons and families to a center; center staff see the
    referrals to their centers (and register unannounced arrivals on the desk)."""

    selector = staticmethod(selectors.referral_list)
    form = ReferralForm
    legal_moves = {ReferralState.OPEN: {"cancelled"}, ReferralState.PLACED: set(), ReferralState.CANCELLED: set()}
    transitions = (
        Transition(
            "cancel", gettext_lazy("Cancel the referral"), "cancelled", _cancel_referral,
            form_class=CancelReferralForm, style="danger",
        ),
    )  # fmt: skip
    list_display = ["referred_on", "person", "family", "center", "source", "state", "placement", "created_by"]
    list_filter = ["state", "source", "center__kind", dropdown("center")]
    search_fields = ["person__surname", "person__given_name", "person__surname_latin", "=person__iin"]
    autocomplete_fields = ["person", "family"]
    ordering = ["-referred_on", "-id"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["center", "person", "family", "referred_on", "status_holder_reason", "note"]
        return [
            "center", "person", "family", "source", "state", "referred_on", "status_holder_reason", "note",
            "placement", "closed_on", "cancel_reason", "created_by", "created_at",
        ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "center":
            kwargs["queryset"] = selectors.center_list(user=request.user).filter(is_open=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return  # a referral is changed only by its buttons (cancel) and by check-in
        data = form.cleaned_data
        created = services.referral_create(
            center=data["center"], actor=request.user, person=None if data.get("family") else data["person"],
            family=data.get("family"), referred_on=data.get("referred_on"),
            status_holder_reason=data.get("status_holder_reason", ""), note=data.get("note", ""),
        )  # fmt: skip
        obj.pk = created.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        return False


# --- Services ------------------------------------------------------------------------------------


class ServiceRecordForm(forms.ModelForm):
    class Meta:
        model = ServiceRecord
        fields = ["center", "person", "kind", "given_on", "hours", "outcome", "language_level", "note"]

    actor = None  # set by ServiceRecordAdmin.get_form: refusals name only persons the user may see

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk or self.errors:
            return cleaned
        try:
            services.service_record_check(
                center=cleaned["center"], kind=cleaned["kind"], persons=[cleaned["person"]],
                given_on=cleaned["given_on"], hours=cleaned["hours"], outcome=cleaned["outcome"],
                language_level=cleaned.get("language_level", ""), actor=self.actor,
            )  # fmt: skip
        except DomainError as exc:
            _form_error(self, DomainError(exc.message, field="person" if exc.field == "persons" else exc.field))
        return cleaned


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ScopedAdmin):
    selector = staticmethod(selectors.service_record_list)
    form = ServiceRecordForm
    list_display = ["given_on", "person", "kind", "center", "hours", "outcome", "language_level", "given_by"]
    # A date filter (today, past 7 days, this month, this year) instead of a date hierarchy: the
    # hierarchy reads the first and last date and every year of the user's whole scope on each view
    # (250 ms of a caseworker's 290 at 1,000,000 persons, issue 16); the filter reads nothing.
    list_filter = [("given_on", admin.DateFieldListFilter), "kind__category", "kind", "outcome", dropdown("center")]
    search_fields = ["person__surname", "person__given_name", "person__surname_latin", "=person__iin"]
    autocomplete_fields = ["person"]
    ordering = ["-given_on", "-id"]

    def get_readonly_fields(self, request, obj=None):
        return ["center", "person", "kind", "given_on", "hours", "given_by"] if obj else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "center":
            kwargs["queryset"] = selectors.center_list(user=request.user)
        if db_field.name == "kind":
            kwargs["queryset"] = ServiceKind.objects.filter(active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["outcome", "language_level", "note"])
            return
        data = form.cleaned_data
        [record] = services.service_record_log(
            center=data["center"], kind=data["kind"], persons=[data["person"]], actor=request.user,
            given_on=data["given_on"], hours=data["hours"], outcome=data["outcome"],
            language_level=data.get("language_level", ""), note=data.get("note", ""),
        )  # fmt: skip
        obj.pk = record.pk
        obj.refresh_from_db()


@admin.register(ServiceKind)
class ServiceKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_kk", "name_en", "category", "is_course", "active", "position"]
    list_filter = ["category", "is_course", "active"]
    search_fields = ["code", "name_ru", "name_kk", "name_en"]


# --- Courses ----------------------------------------------------------------------------------------


class EnrolmentInline(ScopedInline):
    model = CourseEnrolment
    extra = 1
    fields = ["person", "enrolled_on", "final_level"]
    autocomplete_fields = ["person"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


@admin.register(Course)
class CourseAdmin(ScopedAdmin):
    selector = staticmethod(selectors.course_list)
    list_display = ["title", "kind", "center", "starts_on", "ends_on", "teacher", "attendance_link"]
    list_filter = ["kind", dropdown("center")]
    search_fields = ["title"]
    inlines = [EnrolmentInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "center":
            kwargs["queryset"] = selectors.center_list(user=request.user)
        if db_field.name == "kind":
            kwargs["queryset"] = ServiceKind.objects.filter(active=True, is_course=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("attendance"))
    def attendance_link(self, obj):
        url = reverse("admin:adaptation_centers_course_session", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Record a class"))

    def get_urls(self):
        return [
            path(
                "<int:object_id>/session/",
                self.admin_site.admin_view(self.session_view),
                name="adaptation_centers_course_session",
            ),
            *super().get_urls(),
        ]

    def session_view(self, request, object_id):
        course = get_object_or_404(self.get_queryset(request), pk=object_id)
        authz.authorize(request.user, "adaptation_centers.add_coursesession", course)
        if not services.can_manage_center(request.user, course.center):
            raise PermissionDenied
        enrolments = list(course.enrolments.select_related("person"))
        form = CourseSessionForm(request.POST or None, enrolments=enrolments)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            present = [e.person for e in enrolments if str(e.person_id) in data["present"]]
            try:
                services.course_session_record(
                    course=course, held_on=data["held_on"], present=present, actor=request.user,
                    hours=data["hours"], topic=data["topic"],
                )  # fmt: skip
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Class recorded: %(n)s present.") % {"n": len(present)})
                return redirect("admin:adaptation_centers_course_change", course.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record a class: %(course)s") % {"course": course},
            "opts": self.model._meta,
            "object": course,
            "form": form,
        }
        return TemplateResponse(request, "admin/adaptation_centers/course_session.html", context)


@admin.register(PlacementAlert)
class PlacementAlertAdmin(ScopedAdmin):
    list_display = ["raised_on", "kind", "placement", "due_on"]
    list_filter = ["kind", "raised_on"]

    def get_queryset(self, request):
        placements = selectors.placement_list(user=request.user).values("pk")
        return PlacementAlert.objects.filter(placement__in=placements).select_related(
            "placement__person", "placement__center"
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
