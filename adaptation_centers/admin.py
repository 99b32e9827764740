"""The center staff's desk and the centers' records in the admin. Every write goes through
adaptation_centers.services; every list comes from adaptation_centers.selectors (scoped)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from adaptation_centers import selectors, services
from adaptation_centers.forms import CheckInForm, CheckOutForm, CourseSessionForm, ExtendStayForm, GroupServiceForm
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
    ServiceKind,
    ServiceRecord,
)
from core import authz
from core.admin_base import ScopedAdmin, ScopedInline, Transition, TransitionAdminMixin
from core.errors import DomainError
from core.roles import Role, role_of
from oralman.models import Person


def _form_error(form, exc: DomainError) -> None:
    """Show a refused rule next to its field (or on top of the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


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
    list_filter = ["kind", "region", "is_open"]
    search_fields = ["name_ru", "name_kk", "name_en", "address"]
    ordering = ["name_ru", "id"]

    def get_inlines(self, request, obj):
        return [CenterStaffInline] if role_of(request.user) == Role.ADMINISTRATOR else []

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
            path("<int:object_id>/desk/services/", view(self.services_view), name="adaptation_centers_center_services"),
            *super().get_urls(),
        ]

    def _center(self, request, object_id) -> Center:
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def my_desk_view(self, request):
        """Center staff land on their center's desk (the first one, if they staff several)."""
        center = self.get_queryset(request).filter(staff__user=request.user).order_by("pk").first()
        if center is None:
            return redirect("admin:adaptation_centers_center_changelist")
        return redirect("admin:adaptation_centers_center_desk", center.pk)

    def desk_view(self, request, object_id, *, check_in_form=None, service_form=None, status=200):
        center = self._center(request, object_id)
        authz.authorize(request.user, authz.VIEW, center)
        desk = selectors.center_desk(center=center)
        can_manage = services.can_manage_center(request.user, center)
        residents = desk.residents
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
            "check_out_form": CheckOutForm(),
            "service_form": service_form or GroupServiceForm(residents=residents),
        }
        return TemplateResponse(request, "admin/adaptation_centers/desk.html", context, status=status)

    def check_in_view(self, request, object_id):
        center = self._center(request, object_id)
        if request.method != "POST":
            return redirect("admin:adaptation_centers_center_desk", center.pk)
        authz.authorize(request.user, "adaptation_centers.add_placement", center)
        form = CheckInForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            found = selectors.person_find_for_check_in(data["identifier"])
            if len(found) != 1:
                form.add_error(
                    "identifier",
                    _("Nobody found with this number.") if not found else _("Several persons match; use the IIN."),
                )
            else:
                person = found[0]
                family = selectors.current_family_of(person) if data["whole_family"] else None
                try:
                    placement = services.placement_check_in(
                        center=center, actor=request.user, family=family, person=None if family else person,
                        beds=data["beds"], check_in_on=data["check_in_on"],
                        planned_check_out_on=data["planned_check_out_on"], note=data["note"],
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
        return self.desk_view(request, object_id, check_in_form=form, status=400)

    def check_out_view(self, request, object_id, placement_id):
        center = self._center(request, object_id)
        if request.method != "POST":
            return redirect("admin:adaptation_centers_center_desk", center.pk)
        placement = get_object_or_404(
            selectors.placement_list(user=request.user).filter(center=center), pk=placement_id
        )
        authz.authorize(request.user, authz.CHANGE, placement)
        form = CheckOutForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose the reason for the check-out."))
        else:
            try:
                services.placement_check_out(
                    placement=placement, actor=request.user, reason=form.cleaned_data["reason"],
                    checked_out_on=form.cleaned_data["checked_out_on"], note=form.cleaned_data["note"],
                )  # fmt: skip
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Checked out: %(who)s.") % {"who": placement})
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
    list_filter = [StayFilter, "center", "center__region", "check_out_reason"]
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


# --- Services ------------------------------------------------------------------------------------


class ServiceRecordForm(forms.ModelForm):
    class Meta:
        model = ServiceRecord
        fields = ["center", "person", "kind", "given_on", "hours", "outcome", "language_level", "note"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk or self.errors:
            return cleaned
        try:
            services.service_record_check(
                center=cleaned["center"], kind=cleaned["kind"], persons=[cleaned["person"]],
                given_on=cleaned["given_on"], hours=cleaned["hours"], outcome=cleaned["outcome"],
                language_level=cleaned.get("language_level", ""),
            )  # fmt: skip
        except DomainError as exc:
            _form_error(self, DomainError(exc.message, field="person" if exc.field == "persons" else exc.field))
        return cleaned


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ScopedAdmin):
    selector = staticmethod(selectors.service_record_list)
    form = ServiceRecordForm
    list_display = ["given_on", "person", "kind", "center", "hours", "outcome", "language_level", "given_by"]
    list_filter = ["kind__category", "kind", "outcome", "center"]
    search_fields = ["person__surname", "person__given_name", "person__surname_latin", "=person__iin"]
    autocomplete_fields = ["person"]
    date_hierarchy = "given_on"
    ordering = ["-given_on", "-id"]

    def get_readonly_fields(self, request, obj=None):
        return ["center", "person", "kind", "given_on", "hours", "given_by"] if obj else []

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
    list_filter = ["kind", "center"]
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
