"""Forms of the center desk. They check shape; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adaptation_centers.models import CheckOutReason, LanguageLevel, Outcome, ServiceKind


class CheckInForm(forms.Form):
    identifier = forms.CharField(
        label=_("IIN, passport number or case No."),
        max_length=30,
        help_text=_("The arriving person; with 'whole family' their current family is checked in together."),
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


class CheckOutForm(forms.Form):
    reason = forms.ChoiceField(label=_("check-out reason"), choices=CheckOutReason.choices)
    checked_out_on = forms.DateField(label=_("checked out"), required=False, help_text=_("Empty means today."))
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExtendStayForm(forms.Form):
    until = forms.DateField(label=_("new planned check-out"))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class GroupServiceForm(forms.Form):
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


class CourseSessionForm(forms.Form):
    held_on = forms.DateField(label=_("held on"), initial=timezone.localdate)
    hours = forms.DecimalField(label=_("hours"), min_value=0, max_digits=4, decimal_places=2, required=False)
    topic = forms.CharField(label=_("topic"), required=False)
    present = forms.MultipleChoiceField(label=_("present"), widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, enrolments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(str(e.person_id), str(e.person)) for e in enrolments]
