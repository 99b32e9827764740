"""Forms of the center desk. They check shape; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adaptation_centers.models import CheckOutReason, LanguageLevel, Outcome, ServiceKind
from core.models import Country
from oralman.models import Sex


class DeskForm(forms.Form):
    """Fields with an error carry the class "errors", which the admin's CSS outlines in red."""

    error_css_class = "errors"
    required_css_class = "required"


class CheckInForm(DeskForm):
    referral = forms.IntegerField(required=False, widget=forms.HiddenInput)
    identifier = forms.CharField(
        label=_("IIN or passport number"),
        max_length=30,
        required=False,
        help_text=_(
            "A person referred to this center; with 'whole family' their referred family is checked in together."
        ),
    )
    whole_family = forms.BooleanField(label=_("whole family"), required=False, initial=True)
    beds = forms.IntegerField(
        label=_("beds"), min_value=1, required=False, help_text=_("Empty means one bed per person.")
    )
    check_in_on = forms.DateField(label=_("checked in"), required=False, help_text=_("Empty means today."))
    planned_check_out_on = forms.DateField(
        label=_("planned check-out"), required=False, help_text=_("Empty means the longest allowed stay.")
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("referral") and not (cleaned.get("identifier") or "").strip():
            self.add_error("identifier", _("Give the IIN or passport number."))
        return cleaned


class RegisterArrivalForm(DeskForm):
    """An unannounced arrival: the minimum to identify the person (the caseworker completes the file)."""

    surname = forms.CharField(label=_("surname"), max_length=100)
    given_name = forms.CharField(label=_("given name"), max_length=100)
    patronymic = forms.CharField(label=_("patronymic"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("date of birth"))
    sex = forms.ChoiceField(label=_("sex"), choices=Sex.choices)
    country_of_origin = forms.ModelChoiceField(label=_("country of origin"), queryset=Country.objects.all())
    citizenship = forms.ModelChoiceField(
        label=_("current citizenship"), queryset=Country.objects.all(), required=False,
        help_text=_("Empty for a stateless person."),
    )  # fmt: skip
    passport_number = forms.CharField(label=_("foreign passport number"), max_length=30)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    note = forms.CharField(label=_("note"), required=False)


class CheckOutForm(DeskForm):
    # No reason preselected: the clerk chooses one (the blank first choice is refused).
    reason = forms.ChoiceField(label=_("check-out reason"), choices=[("", "—"), *CheckOutReason.choices])
    checked_out_on = forms.DateField(label=_("checked out"), required=False, help_text=_("Empty means today."))
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExtendStayForm(forms.Form):
    until = forms.DateField(label=_("new planned check-out"))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class GroupServiceForm(DeskForm):
    """One service for several residents at once (a class, a group consultation)."""

    kind = forms.ModelChoiceField(label=_("kind of service"), queryset=ServiceKind.objects.filter(active=True))
    given_on = forms.DateField(label=_("date"), initial=timezone.localdate)
    hours = forms.DecimalField(label=_("hours"), min_value=0, max_digits=4, decimal_places=2, initial=1)
    outcome = forms.ChoiceField(label=_("outcome"), choices=Outcome.choices, initial=Outcome.GIVEN)
    language_level = forms.ChoiceField(
        label=_("language level"), choices=[("", "—"), *LanguageLevel.choices], required=False
    )
    note = forms.CharField(label=_("note"), required=False)
    persons = forms.MultipleChoiceField(label=_("residents"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, residents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persons"].choices = [(str(o.person_id), str(o.person)) for o in residents]


class CourseSessionForm(DeskForm):
    held_on = forms.DateField(label=_("held on"), initial=timezone.localdate)
    hours = forms.DecimalField(label=_("hours"), min_value=0, max_digits=4, decimal_places=2, required=False)
    topic = forms.CharField(label=_("topic"), required=False)
    present = forms.MultipleChoiceField(label=_("present"), widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, enrolments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(str(e.person_id), str(e.person)) for e in enrolments]
