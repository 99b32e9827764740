"""Every foreign-key choice a user is offered, in any API serializer or any admin form or inline, is a
row in the user's scope: a row of another region is "not one of the available choices"."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory
from rest_framework import serializers
from rest_framework.request import Request

from adaptation_centers.models import Center
from core import authz
from oralman.models import Document, Family, KandasStatus, Person, StatusApplication
from tests.adaptation_centers.factories import CenterFactory
from tests.factories import FamilyFactory, KandasStatusFactory, PersonFactory, region

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("core", "oralman", "adaptation_centers", "quotas", "citizenship", "documents", "notifications")


@pytest.fixture
def elsewhere():
    """One row of each scoped kind in Akmola Region (outside a Pavlodar caseworker's scope)."""
    person = PersonFactory(region=region("akmola"))
    family = FamilyFactory(head=person, region=person.region)
    status = KandasStatusFactory(person=person)
    document = Document.objects.create(person=person, doc_type="birth_certificate")
    return {
        Person: person,
        Family: family,
        KandasStatus: status,
        StatusApplication: status.application,
        Document: document,
        Center: CenterFactory(region=region("akmola")),
    }


def _subclasses(klass):
    for sub in klass.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _project_serializers():
    import importlib

    for module in ("oralman.api.views", "citizenship.api.views", "quotas.api.views", "adaptation_centers.api",
                   "notifications.api.views", "core.api.views", "core.api.reports"):  # fmt: skip
        importlib.import_module(module)
    return sorted(
        {s for s in _subclasses(serializers.Serializer) if s.__module__.split(".")[0] in PROJECT_APPS},
        key=lambda s: f"{s.__module__}.{s.__qualname__}",
    )


def _writable_related_fields(serializer):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ManyRelatedField):
            yield name, field.child_relation
        elif isinstance(field, serializers.RelatedField):
            yield name, field


def _offered_outside(queryset, model, elsewhere, user) -> bool:
    row = elsewhere.get(model)
    if row is None or authz.in_scope(user, row):
        return False
    return queryset.filter(pk=row.pk).exists()


def test_no_api_serializer_offers_a_row_outside_the_callers_scope(caseworker, elsewhere):
    request = Request(RequestFactory().get("/"))
    request.user = caseworker
    leaks = []
    for serializer_class in _project_serializers():
        try:
            serializer = serializer_class(context={"request": request})
        except TypeError:
            continue
        for name, field in _writable_related_fields(serializer):
            queryset = field.get_queryset()
            if _offered_outside(queryset, queryset.model, elsewhere, caseworker):
                leaks.append(f"{serializer_class.__qualname__}.{name}")
    assert leaks == []


def _admin_forms(request):
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        if model_admin.has_add_permission(request):
            yield f"{model._meta.label} admin", model_admin.get_form(request)
        for inline in model_admin.get_inline_instances(request):
            if inline.has_add_permission(request, None):
                yield f"{model._meta.label} inline {inline.model._meta.label}", inline.get_formset(request).form


def test_no_admin_form_or_inline_offers_a_row_outside_the_callers_scope(caseworker, elsewhere):
    request = RequestFactory().get("/admin/")
    request.user = caseworker
    request.resolver_match = None
    leaks, checked = [], 0
    for label, form_class in _admin_forms(request):
        for name, field in form_class.base_fields.items():
            offered = isinstance(field, forms.ModelChoiceField) and field.queryset is not None
            checked += offered
            if offered and _offered_outside(field.queryset, field.queryset.model, elsewhere, caseworker):
                leaks.append(f"{label}.{name}")
    assert checked >= 10  # persons, families, applications, documents, regions, ... of the caseworker's forms
    assert leaks == []
