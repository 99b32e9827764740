"""The family page: the head typed again as a member, a second head, a person twice: form errors
(or, for the head's own row, taken as the row the service adds), never a 500."""

from __future__ import annotations

import pytest

from oralman.models import Family, FamilyMember
from tests.factories import FamilyFactory, PersonFactory

ADD = "/admin/oralman/family/add/"


def family_post(head, region, rows):
    data = {
        "head": head.pk, "region": region.pk,
        "members-TOTAL_FORMS": str(len(rows)), "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, (person, relationship) in enumerate(rows):
        data |= {f"members-{i}-person": person.pk, f"members-{i}-relationship": relationship,
                 f"members-{i}-joined_on": "01.02.2026"}  # fmt: skip
    return data


@pytest.mark.django_db
def test_the_head_typed_again_as_head_is_the_head_row_once(client, caseworker, region):
    head, spouse = PersonFactory(region=region), PersonFactory(region=region)
    client.force_login(caseworker)
    response = client.post(ADD, family_post(head, region, [(head, "head"), (spouse, "spouse")]))
    assert response.status_code == 302, response.context and response.context["errors"]
    family = Family.objects.get(head=head)
    assert sorted(family.members.values_list("person", "relationship")) == sorted(
        [(head.pk, "head"), (spouse.pk, "spouse")]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (lambda head, other: [(head, "spouse")], "должно быть «глава семьи»"),
        (lambda head, other: [(other, "head")], "Только глава семьи"),
        (lambda head, other: [(other, "child"), (other, "spouse")], "указан дважды"),
    ],
)
def test_a_wrong_member_list_is_a_form_error_and_keeps_what_was_typed(client, caseworker, region, rows, message):
    head, other = PersonFactory(region=region), PersonFactory(region=region)
    client.force_login(caseworker)
    response = client.post(ADD, family_post(head, region, rows(head, other)))
    assert response.status_code == 200
    errors = str(response.context["inline_admin_formsets"][0].formset.errors)
    assert message in errors, errors
    assert not Family.objects.exists() and not FamilyMember.objects.exists()
    assert response.context["adminform"].form["head"].value() == str(head.pk)
    assert f'value="{other.pk}"' in response.content.decode() or f'value="{head.pk}"' in response.content.decode()


@pytest.mark.django_db
def test_a_head_already_in_another_family_is_a_form_error(client, caseworker, region):
    family = FamilyFactory(head=PersonFactory(region=region))
    client.force_login(caseworker)
    response = client.post(ADD, family_post(family.head, region, []))
    assert response.status_code == 200
    assert "уже состоит в другой семье" in str(response.context["adminform"].form.errors)
    assert Family.objects.count() == 1


@pytest.mark.django_db
def test_a_family_the_caseworker_creates_in_the_admin_is_assigned_to_them(client, caseworker, region):
    head = PersonFactory(region=region)
    client.force_login(caseworker)
    response = client.post(ADD, family_post(head, region, [(head, "head")]))
    assert response.status_code == 302
    assert Family.objects.get(head=head).assigned_caseworker == caseworker


@pytest.mark.django_db
def test_a_family_the_caseworker_creates_through_the_api_is_assigned_to_them(api, caseworker, region):
    head = PersonFactory(region=region)
    response = api(caseworker).post("/api/v1/families/", {"head": head.pk, "region": region.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert Family.objects.get(head=head).assigned_caseworker == caseworker


@pytest.mark.django_db
def test_a_family_created_by_someone_not_a_caseworker_of_its_region_is_left_unassigned(administrator, region):
    from oralman import services

    head = PersonFactory(region=region)
    family = services.family_create(head=head, actor=administrator)
    assert family.assigned_caseworker is None
