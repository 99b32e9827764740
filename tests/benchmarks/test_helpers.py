import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory

from benchmarks.generate import Scale, generate
from core.pagination import EstimatedCountPaginator, estimated_count
from core.search import indexed_search
from oralman.models import Person, StatusApplication

TODAY = datetime.date(2026, 11, 24)


def _quiet(_message):
    pass


@pytest.fixture
def data_set(db):
    generate(Scale(persons=800, seed=21, today=TODAY), log=_quiet)


def _admin_search(model_admin, request, term):
    queryset, _duplicates = admin.ModelAdmin.get_search_results(
        model_admin, request, StatusApplication.objects.all(), term
    )
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.usefixtures("data_set")
def test_indexed_search_finds_at_least_what_the_letter_by_letter_search_finds(administrator):
    """Django's own search compares the listed fields letter by letter; ours asks the person
    matcher for the applicant (any spelling, IIN prefixes), so it finds at least as much."""
    model_admin = admin.site._registry[StatusApplication]
    request = RequestFactory().get("/")
    request.user = administrator
    fields = list(model_admin.get_search_fields(request))
    person = StatusApplication.objects.filter(state="granted").select_related("applicant").first().applicant
    certificate = person.statuses.first().certificate_number
    terms = [
        person.surname, person.surname_latin.lower(), person.given_name[:3], person.iin, person.passport_number.lower(),
        certificate.lower(), f"{person.surname} {person.given_name}", "Nobody-Such", "1234",
    ]  # fmt: skip

    for term in terms:
        expected = _admin_search(model_admin, request, term)
        found = set(indexed_search(StatusApplication.objects.all(), fields, term).values_list("pk", flat=True))
        assert found >= expected, term
        if term == "Nobody-Such":
            assert found == set()
    assert _admin_search(model_admin, request, certificate), "the certificate number is found"


@pytest.mark.usefixtures("data_set")
def test_indexed_search_leaves_out_fields_that_cannot_hold_the_term():
    queryset = indexed_search(StatusApplication.objects.all(), ["applicant__surname", "=applicant__iin"], "Абай")

    assert '"iin"' not in str(queryset.query)


@pytest.mark.usefixtures("data_set")
def test_counts_are_exact_up_to_the_threshold_and_estimated_beyond():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE oralman_person")
    total = Person.objects.count()
    small = Person.objects.filter(sex="F", region__code="astana")

    assert estimated_count(small, threshold=total) == small.count()
    estimate = estimated_count(Person.objects.all(), threshold=100)
    assert estimate > 100
    assert abs(estimate - total) <= total * 0.2
    filtered = Person.objects.filter(sex="M")
    assert estimated_count(filtered, threshold=50) > 50


@pytest.mark.usefixtures("data_set")
def test_estimated_paginator_pages_like_the_exact_one():
    paginator = EstimatedCountPaginator(StatusApplication.objects.order_by("-created_at", "-id"), 50)

    assert paginator.count == StatusApplication.objects.count()
    assert len(paginator.page(1).object_list) == 50
