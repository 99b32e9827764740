"""Issue 16: a number typed in a search box is compared as it is, through the column's btree."""

from __future__ import annotations

import pytest
from django.urls import reverse

from citizenship.models import CitizenshipApplication
from core.search import indexed_search
from oralman.models import StatusApplication
from tests.citizenship import factories as f

pytestmark = pytest.mark.django_db


def test_a_term_without_letters_is_an_exact_comparison_not_upper():
    iin = f.application(state="granted").iin_assigned
    sql = str(indexed_search(CitizenshipApplication.objects.all(), ["=iin_assigned"], iin).query)

    assert f'"iin_assigned" = {iin}' in sql, sql
    assert "UPPER" not in sql


def test_a_term_with_letters_stays_case_insensitive():
    app = f.application(state="granted")
    CitizenshipApplication.objects.filter(pk=app.pk).update(registration_number="рп-2026-7")

    found = indexed_search(CitizenshipApplication.objects.all(), ["=registration_number"], "РП-2026-7")

    assert "UPPER" in str(found.query)
    assert list(found) == [app]


def test_the_citizenship_admin_finds_an_application_by_the_iin_it_assigned(client, administrator):
    app = f.application(state="granted")
    other = f.application(state="granted")
    assert app.iin_assigned and app.iin_assigned != other.iin_assigned
    client.force_login(administrator)

    response = client.get(reverse("admin:citizenship_citizenshipapplication_changelist"), {"q": app.iin_assigned})

    assert list(response.context["cl"].result_list) == [app]


def test_an_iin_through_the_person_matcher_is_the_unique_index_comparison():
    sql = str(indexed_search(StatusApplication.objects.all(), ["=applicant__iin"], "800315300012").query)

    assert "\"iin\" = '800315300012'" in sql or '"iin" = 800315300012' in sql, sql
    assert "UPPER" not in sql
