from django import forms
from django.utils.translation import gettext_lazy as _

from core.admin_base import ReasonForm
from core.errors import DomainError
from oralman.models import Recommendation, RefusalGround, TerminationReason
from oralman.services import certificate_number_parse


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Missing documents"), widget=forms.Textarea(attrs={"rows": 3}))


class RefuseForm(ReasonForm):
    ground = forms.ModelChoiceField(label=_("Refusal ground"), queryset=RefusalGround.objects.filter(active=True))


class GrantForm(forms.Form):
    """The grant: an IIN field for each person to be granted who has none yet (the first
    certificate carries it; oralman.services.application_grant validates and records it)."""

    takes_object = True

    certificate_number = forms.CharField(
        label=_("Certificate number"), required=False, help_text=_("Leave empty to number it automatically.")
    )

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        if obj is None:
            return
        from oralman.services import grantees

        for person in grantees(obj):
            if not person.iin:
                self.fields[f"iin_{person.pk}"] = forms.CharField(
                    label=_("IIN of %(person)s") % {"person": person.full_name},
                    min_length=12,
                    max_length=12,
                    help_text=_("Recorded with the first certificate."),
                )

    def clean_certificate_number(self):
        """The format is checked here (a form error); the series and the right to record it by the service."""
        number = self.cleaned_data["certificate_number"].strip().upper()
        if number:
            try:
                certificate_number_parse(number)
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from exc
        return number


class RecommendForm(forms.Form):
    recommendation = forms.ChoiceField(label=_("Recommendation"), choices=Recommendation.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TerminateForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=TerminationReason.choices)
    on = forms.DateField(label=_("Ends on"), required=False, help_text=_("Empty means today."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(forms.Form):
    months = forms.IntegerField(
        label=_("Months"), required=False, min_value=1, help_text=_("Empty means the full extension.")
    )
