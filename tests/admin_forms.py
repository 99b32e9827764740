"""The POST an admin change page would send back unchanged, read from its GET response: the main
form's values and each inline's management form and rows. Tests then change what they need."""

from __future__ import annotations

from django import forms


def _value(bound):
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def form_values(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        if getattr(field, "disabled", False) or isinstance(field, forms.FileField):
            continue  # a file input posts nothing unless a new file is chosen
        value = _value(form[name])
        if value == "" and getattr(field.widget, "input_type", "") == "checkbox":
            continue  # an unticked box is not posted
        data[form.add_prefix(name)] = value
    return data


def change_form_data(response) -> dict:
    """Everything the page's form would post as it stands (no new inline rows)."""
    context = response.context
    data = form_values(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        data[management.add_prefix("TOTAL_FORMS")] = str(len(formset.initial_forms))
        for form in formset.initial_forms:
            data.update({k: v for k, v in form_values(form).items() if not k.endswith("DELETE")})
    return data


def add_inline_row(data: dict, prefix: str, values: dict) -> dict:
    """Append one new row to the inline with this prefix."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data.update({f"{prefix}-{index}-{name}": value for name, value in values.items()})
    return data
