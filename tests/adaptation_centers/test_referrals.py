"""Center staff reach persons only through their own work (issue 11): a person is referred to the
center (by the region's caseworker, or registered at the desk), check-in finds persons only among
those referred, and refusals never name a person the caller cannot see."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from adaptation_centers.models import Placement, Referral, ReferralSource, ReferralState
from adaptation_centers.services import (
    course_enrol,
    placement_check_in,
    referral_cancel,
    referral_create,
    referral_register_arrival,
    service_record_log,
)
from core.authz import NotAllowed, scoped
from core.errors import DomainError
from oralman.selectors import family_list, person_list
from tests.adaptation_centers.factories import CenterFactory, family_of, kind, refer, referred_check_in
from tests.factories import PersonFactory, country, region, unique_iin

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def desk_url(center, name="desk", *args):
    return reverse(f"admin:adaptation_centers_center_{name}", args=[center.pk, *args])


@pytest.fixture
def stranger(db):
    """A person of another region, in the national registry, referred nowhere."""
    birth = datetime.date(1980, 5, 17)
    return PersonFactory(
        surname="Чужаков",
        region=region("akmola"),
        birth_date=birth,
        iin=unique_iin(birth, "M"),
        passport_number="ZZ7654321",
    )


# --- The attack: a clerk pulls a stranger's file into their center -------------------------------


def test_a_clerk_cannot_check_in_a_registry_person_by_case_number_and_is_not_told_who_it_is(
    client, center, clerk, stranger
):
    client.force_login(clerk)
    response = client.post(desk_url(center, "check_in"), {"identifier": str(stranger.pk), "whole_family": "on"})
    assert response.status_code == 400
    assert "Чужаков" not in response.content.decode()
    answer = api(clerk).post("/api/v1/placements/check-in/", {"center": center.pk, "identifier": str(stranger.pk)})
    assert answer.status_code == 400 and "Чужаков" not in answer.content.decode()
    assert not Placement.objects.exists()
    assert not person_list(user=clerk).filter(pk=stranger.pk).exists()


@pytest.mark.parametrize("number", ["iin", "passport_number"])
def test_a_clerk_cannot_check_in_an_unreferred_person_by_iin_or_passport(center, clerk, stranger, number):
    response = api(clerk).post(
        "/api/v1/placements/check-in/", {"center": center.pk, "identifier": getattr(stranger, number)}
    )
    assert response.status_code == 400
    assert "Чужаков" not in response.content.decode()
    assert not Placement.objects.exists()
    assert not person_list(user=clerk).filter(pk=stranger.pk).exists()


def test_an_unknown_number_and_an_unreferred_person_get_the_same_answer(center, clerk, stranger):
    unknown = api(clerk).post("/api/v1/placements/check-in/", {"center": center.pk, "identifier": "AA0000000"})
    known = api(clerk).post("/api/v1/placements/check-in/", {"center": center.pk, "identifier": stranger.iin})
    assert unknown.status_code == known.status_code == 400
    assert unknown.json() == known.json()


def test_a_person_referred_to_the_center_is_found_by_iin_and_placed(center, clerk, stranger):
    referral = refer(center, person=stranger)
    response = api(clerk).post("/api/v1/placements/check-in/", {"center": center.pk, "identifier": stranger.iin})
    assert response.status_code == 201, response.json()
    referral.refresh_from_db()
    assert referral.state == ReferralState.PLACED and referral.placement_id == response.json()["id"]
    assert referral.closed_on == timezone.localdate()
    assert person_list(user=clerk).filter(pk=stranger.pk).exists()


def test_a_person_referred_to_another_center_is_not_found_here(center, clerk, stranger):
    refer(CenterFactory(), person=stranger)
    response = api(clerk).post("/api/v1/placements/check-in/", {"center": center.pk, "identifier": stranger.iin})
    assert response.status_code == 400
    assert not Placement.objects.exists()


def test_the_service_refuses_a_check_in_without_a_referral_without_naming_anyone(center, clerk, stranger):
    with pytest.raises(DomainError) as exc:
        placement_check_in(center=center, person=stranger, actor=clerk)
    assert exc.value.code == "not_referred"
    assert "Чужаков" not in str(exc.value.message)
    assert not Placement.objects.exists()


def test_a_family_referral_brings_every_current_member_by_the_head_s_passport(client, center, clerk):
    family = family_of(3)
    refer(center, family=family)
    client.force_login(clerk)
    response = client.post(
        desk_url(center, "check_in"), {"identifier": family.head.passport_number, "whole_family": "on"}
    )
    assert response.status_code == 302
    assert Placement.objects.get().occupants.count() == 3


def test_the_desk_lists_the_open_referrals_and_checks_one_in_by_its_button(client, center, clerk):
    family = family_of(2)
    referral = refer(center, family=family)
    client.force_login(clerk)
    page = client.get(desk_url(center))
    assert [r.pk for r in page.context["referrals"]] == [referral.pk]
    assert response_ok(client.post(desk_url(center, "check_in"), {"referral": referral.pk}))
    referral.refresh_from_db()
    assert referral.state == ReferralState.PLACED
    assert client.get(desk_url(center)).context["referrals"] == []


def response_ok(response) -> bool:
    return response.status_code == 302


def test_a_clerk_cannot_use_another_centers_referral_on_their_desk(client, center, clerk):
    theirs = refer(CenterFactory(), person=PersonFactory())
    client.force_login(clerk)
    assert client.post(desk_url(center, "check_in"), {"referral": theirs.pk}).status_code == 404
    assert not Placement.objects.exists()


# --- Scope of persons for center staff ----------------------------------------------------------------


def test_center_staff_reach_persons_referred_to_or_staying_in_their_centers_only(center, clerk):
    referred = PersonFactory()
    refer(center, person=referred)
    family = family_of(2)
    refer(center, family=family)
    staying = referred_check_in(center=center, person=PersonFactory(), actor=clerk).person
    elsewhere = PersonFactory()
    refer(CenterFactory(), person=elsewhere)
    cancelled = PersonFactory()
    referral_cancel(referral=refer(center, person=cancelled), actor=None, reason="не приехал")
    nobody = PersonFactory()

    reach = set(person_list(user=clerk).values_list("pk", flat=True))
    members = set(family.members.values_list("person_id", flat=True))
    assert reach == {referred.pk, staying.pk} | members
    assert {elsewhere.pk, cancelled.pk, nobody.pk}.isdisjoint(reach)
    assert set(family_list(user=clerk)) == {family}


def test_center_staffs_reach_is_one_union_of_ids_with_the_rows_of_the_per_person_form(center, clerk):
    """Issue 16: the reach is `pk IN (staying UNION referred UNION members of referred families)`, the
    same persons as the former `EXISTS .. OR EXISTS .. OR ..` per person (38 s at 1,000,000 persons)."""
    from django.db.models import Q

    from adaptation_centers import selectors as center_selectors
    from oralman.models import Person

    refer(center, person=PersonFactory())
    family = family_of(3)
    refer(center, family=family)
    gone = family.members.exclude(person_id=family.head_id).first()
    gone.left_on = timezone.localdate()
    gone.save(update_fields=["left_on"])
    referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    refer(CenterFactory(), family=family_of(2))
    refer(CenterFactory(), person=PersonFactory())
    referral_cancel(referral=refer(center, person=PersonFactory()), actor=None, reason="не приехал")

    centers = center_selectors.staffed_center_ids(clerk)
    before = Person.objects.filter(Q(center_selectors._staying_in(centers)) | center_selectors._referred_to(centers))
    ids = center_selectors.person_ids_placed_in_users_centers(clerk)
    after = set(Person.objects.filter(pk__in=ids).values_list("pk", flat=True))
    assert after == set(before.values_list("pk", flat=True))
    assert gone.person_id not in after and len(after) == 1 + 2 + 1
    sql = str(person_list(user=clerk).query)
    assert "UNION" in sql and "EXISTS" not in sql


def test_a_checked_out_resident_leaves_the_staffs_reach(center, clerk):
    from adaptation_centers.services import placement_check_out

    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    assert person_list(user=clerk).filter(pk=placement.person_id).exists()
    placement_check_out(placement=placement, actor=clerk, reason="housing")
    assert not person_list(user=clerk).filter(pk=placement.person_id).exists()


@pytest.mark.parametrize(
    ("who", "sees_ours", "sees_theirs"),
    [
        ("administrator", True, True),
        ("analyst", True, True),
        ("caseworker", True, False),
        ("other_caseworker", False, True),
        ("clerk", True, False),
    ],
)
def test_referrals_are_scoped_by_region_and_center(request, center, who, sees_ours, sees_theirs):
    user = request.getfixturevalue(who)
    ours = refer(center, person=PersonFactory())
    theirs = refer(CenterFactory(region=region("akmola")), person=PersonFactory(region=region("akmola")))
    rows = set(scoped(user, Referral))
    assert (ours in rows, theirs in rows) == (sees_ours, sees_theirs)
    listed = {r["id"] for r in api(user).get("/api/v1/center-referrals/").json()["results"]}
    assert (ours.pk in listed, theirs.pk in listed) == (sees_ours, sees_theirs)


# --- Referrals: who makes them ------------------------------------------------------------------------


def test_a_caseworker_refers_a_family_of_their_region_over_the_api(center, caseworker):
    family = family_of(3)
    response = api(caseworker).post(
        "/api/v1/center-referrals/", {"center": center.pk, "family": family.pk, "note": "3 человека"}, format="json"
    )
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert (referral.person, referral.family, referral.source, referral.created_by) == (
        family.head, family, ReferralSource.CASEWORKER, caseworker,
    )  # fmt: skip


def test_a_caseworker_cannot_refer_another_regions_person(center, caseworker, stranger):
    response = api(caseworker).post("/api/v1/center-referrals/", {"center": center.pk, "person": stranger.pk})
    assert response.status_code == 400
    assert not Referral.objects.exists()
    with pytest.raises(NotAllowed):
        referral_create(center=center, person=stranger, actor=caseworker)


@pytest.mark.parametrize("who", ["clerk", "analyst"])
def test_center_staff_and_analysts_cannot_refer_or_cancel(request, center, who):
    user = request.getfixturevalue(who)
    person = PersonFactory()
    response = api(user).post("/api/v1/center-referrals/", {"center": center.pk, "person": person.pk})
    assert response.status_code == 403
    referral = refer(center, person=person)
    assert api(user).post(f"/api/v1/center-referrals/{referral.pk}/cancel/", {"reason": "x"}).status_code in (403, 404)
    referral.refresh_from_db()
    assert referral.state == ReferralState.OPEN


def test_a_caseworker_cancels_a_referral_with_a_reason(center, caseworker):
    referral = refer(center, person=PersonFactory())
    client = api(caseworker)
    assert client.post(f"/api/v1/center-referrals/{referral.pk}/cancel/", {"reason": " "}).status_code == 400
    response = client.post(f"/api/v1/center-referrals/{referral.pk}/cancel/", {"reason": "уехал к родственникам"})
    assert response.status_code == 200 and response.json()["state"] == "cancelled"


def test_a_second_open_referral_of_the_same_person_is_refused(center, caseworker):
    person = PersonFactory()
    referral_create(center=center, person=person, actor=caseworker)
    with pytest.raises(DomainError) as exc:
        referral_create(center=CenterFactory(), person=person, actor=caseworker)
    assert exc.value.code == "already_referred"


def test_a_caseworker_refers_through_the_admin_form(client, center, caseworker):
    person = PersonFactory()
    client.force_login(caseworker)
    url = reverse("admin:adaptation_centers_referral_add")
    data = {"center": center.pk, "person": person.pk, "referred_on": timezone.localdate().isoformat()}
    assert client.post(url, data).status_code == 302
    assert Referral.objects.get().created_by == caseworker


def test_a_clerk_registers_an_unannounced_arrival_and_checks_them_in_by_passport(client, center, clerk):
    client.force_login(clerk)
    data = {
        "surname": "Жаңаев", "given_name": "Ерболат", "birth_date": "1990-04-02", "sex": "M",
        "country_of_origin": country("UZ").pk, "citizenship": country("UZ").pk, "passport_number": "fa1234567",
    }  # fmt: skip
    assert client.post(desk_url(center, "register_arrival"), data).status_code == 302
    referral = Referral.objects.get()
    assert referral.source == ReferralSource.DESK and referral.created_by == clerk
    assert referral.person.region == center.region and referral.person.surname_latin
    response = client.post(desk_url(center, "check_in"), {"identifier": "FA1234567"})
    assert response.status_code == 302
    assert Placement.objects.get().person == referral.person


def test_a_caseworker_cannot_register_an_arrival_at_a_desk(center, caseworker):
    with pytest.raises(NotAllowed):
        referral_register_arrival(
            center=center, actor=caseworker, surname="Жаңаев", given_name="Ерболат",
            birth_date=datetime.date(1990, 4, 2), sex="M", country_of_origin=country("UZ"), passport_number="FA1",
        )  # fmt: skip


# --- Refusals never name a person the caller cannot see -------------------------------------------------


def test_already_staying_elsewhere_does_not_name_a_center_the_clerk_cannot_see(center, clerk):
    person = PersonFactory()
    referred_check_in(center=CenterFactory(name_ru="Тайный центр"), person=person, actor=None)
    from oralman.models import FamilyMember

    family = family_of(1)
    FamilyMember.objects.create(family=family, person=person, relationship="child")
    refer(center, family=family)
    with pytest.raises(DomainError) as exc:
        placement_check_in(center=center, family=family, actor=clerk)
    assert exc.value.code == "already_placed"
    assert "Тайный" not in str(exc.value.message)


def test_a_family_check_in_with_a_stranger_does_not_name_the_stranger(center, clerk, stranger):
    family = family_of(2)
    refer(center, family=family)
    with pytest.raises(DomainError) as exc:
        placement_check_in(center=center, family=family, persons=[stranger], actor=clerk)
    assert "Чужаков" not in str(exc.value.message)


def test_a_service_for_a_stranger_does_not_name_them(center, clerk, stranger):
    resident = referred_check_in(center=center, person=PersonFactory(surname="Жильцов"), actor=clerk).person
    with pytest.raises(DomainError) as exc:
        service_record_log(center=center, kind=kind(), persons=[resident, stranger], actor=clerk)
    assert exc.value.code == "not_placed"
    assert "Чужаков" not in str(exc.value.message)
    # the same rule names a resident the clerk may see
    referred = PersonFactory(surname="Ожидаев")
    refer(center, person=referred)
    with pytest.raises(DomainError) as exc:
        service_record_log(center=center, kind=kind(), persons=[referred], actor=clerk)
    assert "Ожидаев" in str(exc.value.message)


def test_a_service_for_a_stranger_over_the_api_does_not_name_them(center, clerk, stranger):
    resident = referred_check_in(center=center, person=PersonFactory(), actor=clerk).person
    payload = {"center": center.pk, "kind": kind().pk, "persons": [resident.pk, stranger.pk]}
    response = api(clerk).post("/api/v1/service-records/", payload, format="json")
    assert response.status_code == 400 and "Чужаков" not in response.content.decode()


def test_a_course_enrolment_of_a_stranger_does_not_name_them(center, clerk, stranger):
    from adaptation_centers.models import Course

    course = Course.objects.create(
        center=center, kind=kind("language-kazakh"), title="A1", starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    with pytest.raises(DomainError) as exc:
        course_enrol(course=course, persons=[stranger], actor=clerk)
    assert "Чужаков" not in str(exc.value.message)


# --- The desk for caseworkers ------------------------------------------------------------------------


def test_a_caseworker_is_refused_every_desk_but_sees_every_centers_free_beds(client, caseworker):
    akmola = CenterFactory(region=region("akmola"), capacity=10)
    referred_check_in(center=akmola, person=PersonFactory(region=region("akmola")), actor=None)
    client.force_login(caseworker)
    assert client.get(desk_url(akmola)).status_code == 403
    assert client.post(desk_url(akmola, "check_in"), {"identifier": "x"}).status_code == 403
    listing = client.get(reverse("admin:adaptation_centers_center_changelist"))
    assert listing.status_code == 200
    assert "desk_link" not in listing.context["cl"].list_display
    assert akmola in listing.context["cl"].result_list
    beds = {c["id"]: c["free_beds"] for c in api(caseworker).get("/api/v1/centers/").json()["results"]}
    assert beds[akmola.pk] == 9


def test_a_caseworker_sees_only_their_regions_residents_in_the_placements_list(client, caseworker):
    center = CenterFactory(region=region("akmola"))
    ours = referred_check_in(center=center, person=PersonFactory(), actor=None)
    theirs = referred_check_in(center=center, person=PersonFactory(region=region("akmola")), actor=None)
    client.force_login(caseworker)
    rows = set(client.get(reverse("admin:adaptation_centers_placement_changelist")).context["cl"].result_list)
    assert ours in rows and theirs not in rows


def test_the_admin_form_refers_a_family_and_shows_a_refused_rule_on_the_form(client, caseworker):
    from adaptation_centers.models import CenterKind

    adaptation = CenterFactory(kind=CenterKind.ADAPTATION)
    family = family_of(2)
    client.force_login(caseworker)
    url = reverse("admin:adaptation_centers_referral_add")
    data = {"center": adaptation.pk, "family": family.pk, "referred_on": timezone.localdate().isoformat()}
    response = client.post(url, data)
    assert response.status_code == 200 and not Referral.objects.exists()
    assert "действующего статуса" in response.content.decode()
    temporary = CenterFactory()
    assert client.post(url, {**data, "center": temporary.pk}).status_code == 302
    assert Referral.objects.get().person == family.head


def test_a_clerk_registers_an_arrival_over_the_api_and_a_caseworker_may_not(center, clerk, caseworker):
    payload = {
        "center": center.pk, "surname": "Жаңаев", "given_name": "Ерболат", "birth_date": "1990-04-02", "sex": "M",
        "country_of_origin": "UZ", "citizenship": "UZ", "passport_number": "FA7654321",
    }  # fmt: skip
    assert api(caseworker).post("/api/v1/center-referrals/register-arrival/", payload).status_code == 403
    response = api(clerk).post("/api/v1/center-referrals/register-arrival/", payload)
    assert response.status_code == 201, response.json()
    assert response.json()["source"] == "desk" and response.json()["state"] == "open"
    other = CenterFactory()
    assert (
        api(clerk).post("/api/v1/center-referrals/register-arrival/", {**payload, "center": other.pk}).status_code
        == 400
    )


def test_a_closed_center_registers_no_arrivals(center, clerk):
    center.is_open = False
    center.save()
    with pytest.raises(DomainError) as exc:
        referral_register_arrival(
            center=center, actor=clerk, surname="Жаңаев", given_name="Ерболат",
            birth_date=datetime.date(1990, 4, 2), sex="M", country_of_origin=country("UZ"), passport_number="FA1",
        )  # fmt: skip
    assert exc.value.field == "center"
    assert not Referral.objects.exists()
