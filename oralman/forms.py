from django import forms
from django.utils.translation import gettext_lazy as _

from core.admin_base import ReasonForm
from oralman.models import RefusalGround, TerminationReason


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Missing documents"), widget=forms.Textarea(attrs={"rows": 3}))


class RefuseForm(ReasonForm):
    ground = forms.ModelChoiceField(label=_("Refusal ground"), queryset=RefusalGround.objects.filter(active=True))


class GrantForm(forms.Form):
    certificate_number = forms.CharField(
        label=_("Certificate number"), required=False, help_text=_("Leave empty to number it automatically.")
    )


class TerminateForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=TerminationReason.choices)
    on = forms.DateField(label=_("Ends on"), required=False, help_text=_("Empty means today."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(forms.Form):
    months = forms.IntegerField(
        label=_("Months"), required=False, min_value=1, help_text=_("Empty means the full extension.")
    )
