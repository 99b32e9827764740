"""Form fields shared by the desk's forms."""

from __future__ import annotations

from django import forms

from core.validators import normalize_phone


class PhoneFormField(forms.CharField):
    """A phone number typed with spaces, dashes or brackets, stored in E.164 (+77011234567)."""

    def to_python(self, value):
        return normalize_phone(super().to_python(value))
