from django import forms
from django.utils.translation import gettext_lazy as _

from core.admin_base import ReasonForm
from core.errors import DomainError
from oralman.models import RefusalGround, TerminationReason
from oralman.services import certificate_number_parse


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Missing documents"), widget=forms.Textarea(attrs={"rows": 3}))


class RefuseForm(ReasonForm):
    ground = forms.ModelChoiceField(label=_("Refusal ground"), queryset=RefusalGround.objects.filter(active=True))


class GrantForm(forms.Form):
    certificate_number = forms.CharField(
        label=_("Certificate number"), required=False, help_text=_("Leave empty to number it automatically.")
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


class TerminateForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=TerminationReason.choices)
    on = forms.DateField(label=_("Ends on"), required=False, help_text=_("Empty means today."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(forms.Form):
    months = forms.IntegerField(
        label=_("Months"), required=False, min_value=1, help_text=_("Empty means the full extension.")
    )
