"""Admin pages of the case file: the family's (and a lone person's) case file and the family-wide
actions offered there. Mixed into FamilyAdmin and PersonAdmin (oralman.admin); every write goes
through oralman.services, every permission through core.authz."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import authz
from core.audit import log_read
from core.errors import DomainError
from core.models import Region, User
from core.roles import Role
from oralman import selectors, services
from oralman.casefile import case_file, may_open_case_file
from oralman.models import Channel, Family, FamilyMember, KandasStatus, Person, StatusApplication


class NoteForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))
    person = forms.ModelChoiceField(label=gettext_lazy("About"), queryset=Person.objects.none(), required=False)

    def __init__(self, *args, persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(pk__in=[p.pk for p in persons])


class AssignForm(forms.Form):
    caseworker = forms.ModelChoiceField(
        label=gettext_lazy("Assigned caseworker"), queryset=User.objects.none(), required=False,
        empty_label=gettext_lazy("— nobody —"),
    )  # fmt: skip

    def __init__(self, *args, region_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = User.objects.filter(
            is_active=True, region_id=region_id, groups__name=Role.CASEWORKER
        ).order_by("last_name", "username")
        self.fields["caseworker"].label_from_instance = lambda u: u.get_full_name() or u.username


class TransferForm(forms.Form):
    region = forms.ModelChoiceField(label=gettext_lazy("New region"), queryset=Region.objects.all())
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))


class FileStatusForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Filed through"), choices=Channel.choices, initial=Channel.PSC)


class FamilyCaseFileMixin:
    """FamilyAdmin's case file page and its actions."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/case-file/", view(self.case_file_view), name="oralman_family_casefile"),
            path("<path:object_id>/file-status/", view(self.file_status_view), name="oralman_family_file_status"),
            path("<path:object_id>/assign/", view(self.assign_view), name="oralman_family_assign"),
            path("<path:object_id>/transfer/", view(self.transfer_view), name="oralman_family_transfer"),
            *super().get_urls(),
        ]

    def _family(self, request, object_id) -> Family:
        family = self.get_object(request, object_id)
        if family is None:
            raise Http404
        if not may_open_case_file(request.user):
            raise PermissionDenied
        return family

    def _back(self, family):
        return redirect(reverse("admin:oralman_family_casefile", args=[family.pk]))

    def case_file_view(self, request, object_id):
        family = self._family(request, object_id)
        note_form = NoteForm(persons=[])
        if request.method == "POST":
            authz.authorize(request.user, authz.CHANGE, family)
            file = case_file(user=request.user, family=family)
            note_form = NoteForm(request.POST, persons=file.persons)
            if note_form.is_valid():
                try:
                    services.case_note_add(
                        family=family, text=note_form.cleaned_data["text"], person=note_form.cleaned_data["person"],
                        actor=request.user,
                    )  # fmt: skip
                except DomainError as exc:
                    messages.error(request, str(exc.message))
                else:
                    messages.success(request, _("The note is saved."))
                    return self._back(family)
        elif request.method != "GET":
            return HttpResponseNotAllowed(["GET", "POST"])
        else:
            log_read(request.user, family, kind="family", request=request)
        return render_case_file(self, request, case_file(user=request.user, family=family), note_form=note_form)

    def file_status_view(self, request, object_id):
        family = self._family(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        authz.authorize(request.user, authz.ADD, StatusApplication)
        form = FileStatusForm(request.POST)
        channel = form.cleaned_data["channel"] if form.is_valid() else Channel.PSC
        try:
            filing = services.family_file_status_application(family=family, actor=request.user, channel=channel)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return self._back(family)
        messages.success(
            request,
            _("Application No. %(id)s filed for %(count)s persons.")
            % {"id": filing.application.pk, "count": len(filing.listed)},
        )
        for person, reason in filing.skipped:
            messages.warning(request, _("%(person)s is not listed: %(reason)s") % {"person": person, "reason": reason})
        return redirect(reverse("admin:oralman_statusapplication_change", args=[filing.application.pk]))

    def assign_view(self, request, object_id):
        family = self._family(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        authz.authorize(request.user, "oralman.assign_family", family)
        form = AssignForm(request.POST, region_id=family.region_id)
        if not form.is_valid():
            messages.error(request, _("Choose a caseworker of the family's region."))
            return self._back(family)
        try:
            services.family_assign(family=family, caseworker=form.cleaned_data["caseworker"], actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The assignment is saved."))
        return self._back(family)

    def transfer_view(self, request, object_id):
        family = self._family(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        authz.authorize(request.user, "oralman.transfer_family", family)
        form = TransferForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose the new region and give the reason."))
            return self._back(family)
        try:
            services.family_transfer(
                family=family,
                region=form.cleaned_data["region"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return self._back(family)
        messages.success(
            request, _("The family was transferred to %(region)s.") % {"region": form.cleaned_data["region"]}
        )
        if authz.can(request.user, authz.VIEW, family):
            return self._back(family)
        return redirect(reverse("admin:index"))

    @staticmethod
    def assign_to_me(modeladmin, request, queryset):
        done = 0
        for family in queryset:
            try:
                services.family_assign(family=family, caseworker=request.user, actor=request.user)
            except (DomainError, PermissionDenied):
                continue
            done += 1
        modeladmin.message_user(request, _("Assigned to you: %(count)s.") % {"count": done})


class PersonCaseFileMixin:
    """PersonAdmin's case file: the family's, or the person's own when they belong to none."""

    def get_urls(self):
        return [
            path(
                "<path:object_id>/case-file/",
                self.admin_site.admin_view(self.case_file_view),
                name="oralman_person_casefile",
            ),
            *super().get_urls(),
        ]

    def case_file_view(self, request, object_id):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        person = self.get_object(request, object_id)
        if person is None:
            raise Http404
        if not may_open_case_file(request.user):
            raise PermissionDenied
        membership = FamilyMember.objects.filter(person=person, left_on__isnull=True).first()
        if membership is not None and selectors.family_list(user=request.user).filter(pk=membership.family_id).exists():
            return redirect(
                reverse("admin:oralman_family_casefile", args=[membership.family_id]) + f"#person-{person.pk}"
            )
        log_read(request.user, person, kind="person", request=request)
        return render_case_file(self, request, case_file(user=request.user, person=person), note_form=None)


def render_case_file(model_admin, request, file, *, note_form):
    user = request.user
    family = file.family
    can_change = family is not None and authz.can(user, authz.CHANGE, family)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Case file %(number)s: %(head)s") % {"number": file.case_number, "head": file.head},
        "opts": Family._meta if family else Person._meta,
        "file": file,
        "note_form": note_form if can_change else None,
        "can_file_status": can_change and file.head_may_apply and authz.can(user, authz.ADD, StatusApplication),
        "file_status_form": FileStatusForm(),
        "can_assign": family is not None and authz.can(user, "oralman.assign_family", family),
        "assign_form": AssignForm(
            initial={"caseworker": family.assigned_caseworker_id} if family else None,
            region_id=family.region_id if family else None,
        ),
        "can_transfer": family is not None and authz.can(user, "oralman.transfer_family", family) and can_change,
        "transfer_form": TransferForm(),
        "can_print": authz.can(user, "documents.add_issueddocument", KandasStatus),
        "show_record": True,
    }
    return TemplateResponse(request, "admin/oralman/case_file.html", context)
