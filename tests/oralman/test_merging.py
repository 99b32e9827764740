"""Merging two records of one human: what moves, tombstones, undo, who may."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.errors import DomainError
from oralman import merging
from oralman.models import Document, DuplicateFlag, Family, FamilyMember, Person, PersonMerge, StatusApplication
from tests.factories import FamilyFactory, KandasStatusFactory, PersonFactory, StatusApplicationFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(db):
    """Two records of Нұрлан Жұмабаев in Pavlodar: the second has a family, a document and an
    application; a flag links them."""
    kept = PersonFactory(surname="Жұмабаев", given_name="Нұрлан", iin=None, phone="")
    second = PersonFactory(
        surname="Жумабаев", given_name="Нурлан", birth_date=kept.birth_date, iin="800315300012", phone="+77010000000"
    )
    family = FamilyFactory(head=second)
    StatusApplicationFactory(applicant=second, complete=False)
    Document.objects.create(person=second, doc_type="photo")
    flag = DuplicateFlag.objects.create(person=second, other=kept, reason="name_birth_date", similarity=1.0)
    return kept, second, family, flag


def test_a_merge_moves_everything_to_the_record_kept_and_leaves_a_tombstone(caseworker, pair):
    kept, second, family, flag = pair
    merge = merging.person_merge(survivor=kept, other=second, actor=caseworker, flag=flag)
    second.refresh_from_db()
    kept.refresh_from_db()
    assert second.merged_into == kept
    assert Family.objects.get(pk=family.pk).head == kept
    assert FamilyMember.objects.get(family=family).person == kept
    assert Document.objects.get(doc_type="photo").person == kept
    assert StatusApplication.objects.get().applicant == kept
    assert (kept.iin, kept.phone) == ("800315300012", "+77010000000")  # filled from the other record
    assert second.iin is None
    assert DuplicateFlag.objects.get(pk=flag.pk).resolved_at is not None
    assert merge.merged_by == caseworker and sorted(merge.fields_taken) == ["iin", "phone"]


def test_the_merge_is_audited_with_the_actor(caseworker, pair):
    kept, second, _family, flag = pair
    merge = merging.person_merge(survivor=kept, other=second, actor=caseworker, flag=flag)
    event = PersonMerge.pgh_event_model.objects.get(pgh_obj=merge, pgh_label="insert")
    assert event.pgh_context.metadata["user"] == caseworker.pk


def test_a_merge_can_be_undone_within_the_period(caseworker, pair):
    kept, second, family, flag = pair
    merge = merging.person_merge(survivor=kept, other=second, actor=caseworker, flag=flag)
    merging.person_merge_undo(merge=merge, actor=caseworker)
    second.refresh_from_db()
    kept.refresh_from_db()
    assert second.merged_into is None and second.iin == "800315300012" and second.phone == "+77010000000"
    assert kept.iin is None and kept.phone == ""
    assert Family.objects.get(pk=family.pk).head == second
    assert Document.objects.get(doc_type="photo").person == second
    assert StatusApplication.objects.get().applicant == second
    assert DuplicateFlag.objects.get(pk=flag.pk).resolved_at is None


def test_a_merge_older_than_the_period_cannot_be_undone(caseworker, pair):
    kept, second, _family, flag = pair
    merge = merging.person_merge(survivor=kept, other=second, actor=caseworker, flag=flag)
    with pytest.raises(DomainError, match="30"):
        merging.person_merge_undo(merge=merge, actor=caseworker, now=timezone.now() + datetime.timedelta(days=31))


def test_two_active_statuses_cannot_be_merged_and_nothing_moves(caseworker, pair):
    kept, second, _family, flag = pair
    KandasStatusFactory(person=kept)
    KandasStatusFactory(person=second)
    with pytest.raises(DomainError):
        merging.person_merge(survivor=kept, other=second, actor=caseworker, flag=flag)
    assert Document.objects.get(doc_type="photo").person == second
    assert Person.objects.get(pk=second.pk).merged_into is None
    assert not PersonMerge.objects.exists()


def test_merging_across_regions_needs_an_administrator(caseworker, administrator):
    here = PersonFactory()
    there = PersonFactory(region=region("akmola"))
    with pytest.raises(Exception):  # noqa: B017 - out of the caseworker's scope: NotAllowed
        merging.person_merge(survivor=here, other=there, actor=caseworker)
    merging.person_merge(survivor=here, other=there, actor=administrator)
    assert Person.objects.get(pk=there.pk).merged_into == here


def test_the_analyst_cannot_merge(analyst, pair):
    kept, second, _family, _flag = pair
    with pytest.raises(Exception):  # noqa: B017 - no merge permission: NotAllowed
        merging.person_merge(survivor=kept, other=second, actor=analyst)
    assert not PersonMerge.objects.exists()


# --- In the admin and the API ----------------------------------------------------------------


def test_the_caseworker_compares_and_merges_in_the_admin(client, caseworker, pair):
    kept, second, _family, flag = pair
    client.force_login(caseworker)
    page = client.get(f"/admin/oralman/duplicateflag/{flag.pk}/compare/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Жұмабаев" in html and "Жумабаев" in html
    response = client.post(f"/admin/oralman/duplicateflag/{flag.pk}/compare/", {"decision": "keep_other"})
    assert response.status_code == 302
    assert Person.objects.get(pk=second.pk).merged_into == kept


def test_marking_a_pair_distinct_resolves_the_flag(client, caseworker, pair):
    _kept, _second, _family, flag = pair
    client.force_login(caseworker)
    client.post(f"/admin/oralman/duplicateflag/{flag.pk}/compare/", {"decision": "distinct"})
    assert DuplicateFlag.objects.get(pk=flag.pk).resolved_by == caseworker
    assert not PersonMerge.objects.exists()


def test_a_get_of_the_compare_page_changes_nothing(client, caseworker, pair):
    _kept, _second, _family, flag = pair
    client.force_login(caseworker)
    client.get(f"/admin/oralman/duplicateflag/{flag.pk}/compare/", {"decision": "keep_other"})
    assert not PersonMerge.objects.exists()


def test_another_regions_caseworker_cannot_open_the_comparison(client, other_caseworker, pair):
    _kept, _second, _family, flag = pair
    client.force_login(other_caseworker)
    assert client.get(f"/admin/oralman/duplicateflag/{flag.pk}/compare/").status_code == 404
    assert (
        client.post(f"/admin/oralman/duplicateflag/{flag.pk}/compare/", {"decision": "keep_other"}).status_code == 404
    )


def test_an_old_link_to_a_merged_record_leads_to_the_record_kept(client, api, caseworker, pair):
    kept, second, _family, flag = pair
    merging.person_merge(survivor=kept, other=second, actor=caseworker, flag=flag)
    client.force_login(caseworker)
    response = client.get(f"/admin/oralman/person/{second.pk}/change/")
    assert response.status_code == 302 and response.url.endswith(f"/admin/oralman/person/{kept.pk}/change/")
    response = api(caseworker).get(f"/api/v1/persons/{second.pk}/")
    assert response.status_code == 301 and response["Location"].endswith(f"/api/v1/persons/{kept.pk}/")
    listed = api(caseworker).get("/api/v1/persons/").json()["results"]
    assert second.pk not in [row["id"] for row in listed]


def test_the_api_merges_and_undoes(api, caseworker, pair):
    kept, second, _family, _flag = pair
    response = api(caseworker).post(f"/api/v1/persons/{kept.pk}/merge/", {"other": second.pk}, format="json")
    assert response.status_code == 201, response.json()
    merge_id = response.json()["id"]
    response = api(caseworker).post(f"/api/v1/person-merges/{merge_id}/undo/")
    assert response.status_code == 200, response.json()
    assert Person.objects.get(pk=second.pk).merged_into is None


def test_the_undo_period_is_a_setting(caseworker, pair, settings):
    settings.KANDAS_MERGE_UNDO_DAYS = 7
    kept, second, _family, flag = pair
    merge = merging.person_merge(survivor=kept, other=second, actor=caseworker, flag=flag)
    with pytest.raises(DomainError, match="7"):
        merging.person_merge_undo(merge=merge, actor=caseworker, now=timezone.now() + datetime.timedelta(days=8))
