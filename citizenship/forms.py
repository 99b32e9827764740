from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from citizenship.models import CitizenshipRefusalGround
from oralman.models import Document, Person


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Missing documents"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason or comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class GrantForm(forms.Form):
    registering_body = forms.CharField(
        label=_("Registering body"),
        max_length=300,
        help_text=_(
            "The internal-affairs body that registered the admission (the President for the general procedure)."
        ),
    )
    registration_number = forms.CharField(label=_("Registration number"), max_length=50)
    registration_date = forms.DateField(label=_("Registration date"))
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


class ChildConsentForm(forms.Form):
    child = forms.ModelChoiceField(label=_("Child (14 to 18)"), queryset=Person.objects.none())
    consent_on = forms.DateField(label=_("Written consent given on"))
    document = forms.ModelChoiceField(
        label=_("Consent document"), queryset=Document.objects.none(), required=False,
        help_text=_("The child's written consent, if it is filed as a case document."),
    )  # fmt: skip

    @classmethod
    def for_children(cls, children: list[Person]) -> type[ChildConsentForm]:
        ids = [c.pk for c in children]

        class _Form(cls):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["child"].queryset = Person.objects.filter(pk__in=ids)
                self.fields["document"].queryset = Document.objects.filter(person_id__in=ids)

        return _Form
