"""Long list filters (countries, regions) are one dropdown, not hundreds of links (core.admin_filters)."""

import re

import pytest
from django.urls import reverse

from core.models import Country
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_country_filter_is_a_dropdown_and_short_filters_stay_links(client, administrator):
    client.force_login(administrator)
    html = client.get(reverse("admin:oralman_person_changelist")).content.decode()
    selects = re.findall(r"<select data-navigate-on-change.*?</select>", html, flags=re.S)
    assert len(selects) == 2  # region (20) and country of origin (every country)
    assert max(s.count("<option") for s in selects) == Country.objects.count() + 1  # with "All"
    sex_filter = html[html.index('data-filter-title="пол"') :]
    assert "<select" not in sex_filter[: sex_filter.index("</details>")]
    assert "core/js/list-filter.js" in html


def test_an_option_of_the_dropdown_filters_the_list(client, administrator):
    china = Country.objects.get(iso2="CN")
    from_china = PersonFactory(country_of_origin=china)
    PersonFactory(country_of_origin=Country.objects.exclude(pk=china.pk).first())
    client.force_login(administrator)
    url = reverse("admin:oralman_person_changelist")
    html = client.get(url).content.decode()
    option = re.search(rf'<option value="([^"]*country_of_origin__id__exact={china.pk}[^"]*)"', html).group(1)
    response = client.get(url + option.replace("&amp;", "&"))
    assert [p.pk for p in response.context["cl"].result_list] == [from_china.pk]
    assert re.search(
        rf'<option value="[^"]*country_of_origin__id__exact={china.pk}[^"]*" selected>', response.content.decode()
    )
