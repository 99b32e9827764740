from django import forms
from django.utils.translation import gettext_lazy as _

from citizenship.models import CitizenshipRefusalGround


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Missing documents"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason or comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class GrantForm(forms.Form):
    decree_number = forms.CharField(label=_("Decree number"), max_length=50)
    decree_date = forms.DateField(label=_("Decree date"))
    iin = forms.CharField(
        label=_("IIN assigned"),
        max_length=12,
        required=False,
        help_text=_("Empty keeps the IIN the person already holds."),
    )


class RefuseForm(forms.Form):
    ground = forms.ModelChoiceField(
        label=_("Refusal ground"), queryset=CitizenshipRefusalGround.objects.filter(active=True)
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
