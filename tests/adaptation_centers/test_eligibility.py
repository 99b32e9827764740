"""Who a center takes, by its kind (DOMAIN.md, "Centers"; issue 12): a citizen of Kazakhstan
nowhere; an adaptation and integration center takes holders of a valid kandas status and their
families; a temporary accommodation center takes those without a status yet, a status holder only
with a recorded reason. Checked at referral and again at check-in, refused with a translated reason."""

import datetime

import pytest
from django.utils import translation

from adaptation_centers.models import CenterKind, Placement
from adaptation_centers.services import placement_check_in, referral_create, referral_register_arrival
from core.errors import DomainError
from oralman.models import FamilyMember
from tests.adaptation_centers.factories import CenterFactory, family_of, refer, staff_of
from tests.factories import KandasStatusFactory, PersonFactory, country

pytestmark = pytest.mark.django_db


@pytest.fixture
def adaptation(clerk):
    center = CenterFactory(kind=CenterKind.ADAPTATION)
    staff_of(center, clerk)
    return center


@pytest.fixture
def temporary(clerk):
    center = CenterFactory(kind=CenterKind.TEMPORARY)
    staff_of(center, clerk)
    return center


def _check_in(center, clerk, **target):
    return placement_check_in(center=center, actor=clerk, **target)


@pytest.mark.parametrize("kind", [CenterKind.ADAPTATION, CenterKind.TEMPORARY])
def test_a_citizen_of_kazakhstan_is_refused_in_either_kind_of_center(clerk, kind):
    center = CenterFactory(kind=kind)
    staff_of(center, clerk)
    citizen = PersonFactory(citizenship=country("KZ"))
    KandasStatusFactory(person=citizen)  # even with a status on file
    refer(center, person=citizen)
    with pytest.raises(DomainError) as exc:
        _check_in(center, clerk, person=citizen)
    assert exc.value.code == "citizen"
    assert "Гражданин Казахстана" in str(exc.value.message)
    assert not Placement.objects.exists()


def test_a_person_recorded_as_citizen_since_a_date_is_refused(temporary, clerk):
    person = PersonFactory(citizen_since=datetime.date(2024, 1, 10))
    refer(temporary, person=person)
    with pytest.raises(DomainError) as exc:
        _check_in(temporary, clerk, person=person)
    assert exc.value.code == "citizen"


def test_an_adaptation_center_refuses_a_person_without_a_valid_status(adaptation, clerk):
    person = PersonFactory()
    refer(adaptation, person=person)
    with pytest.raises(DomainError) as exc:
        _check_in(adaptation, clerk, person=person)
    assert exc.value.code == "no_status"
    assert not Placement.objects.exists()


def test_an_adaptation_center_refuses_an_expired_status(adaptation, clerk):
    person = PersonFactory()
    KandasStatusFactory(person=person, issued_on=datetime.date(2020, 1, 1), valid_until=datetime.date(2020, 12, 31))
    refer(adaptation, person=person)
    with pytest.raises(DomainError) as exc:
        _check_in(adaptation, clerk, person=person)
    assert exc.value.code == "no_status"


def test_an_adaptation_center_takes_a_status_holder_and_their_family_members(adaptation, clerk):
    family = family_of(3)
    KandasStatusFactory(person=family.head)  # the spouse and child have none of their own
    refer(adaptation, family=family)
    placement = _check_in(adaptation, clerk, family=family)
    assert placement.occupants.count() == 3


def test_a_temporary_center_takes_an_arrival_without_a_status(temporary, clerk):
    person = PersonFactory()
    refer(temporary, person=person)
    assert _check_in(temporary, clerk, person=person).beds == 1


def test_a_temporary_center_refuses_a_status_holder_without_a_recorded_reason(temporary, clerk):
    person = PersonFactory()
    KandasStatusFactory(person=person)
    refer(temporary, person=person)
    with pytest.raises(DomainError) as exc:
        _check_in(temporary, clerk, person=person)
    assert exc.value.code == "status_holder"
    assert not Placement.objects.exists()


def test_a_temporary_center_takes_a_status_holder_with_a_reason_on_the_referral(temporary, clerk):
    person = PersonFactory()
    KandasStatusFactory(person=person)
    refer(temporary, person=person, status_holder_reason="адаптационный центр региона закрыт на ремонт")
    assert _check_in(temporary, clerk, person=person).beds == 1


def test_the_referral_itself_is_refused_for_someone_the_center_cannot_take(adaptation, caseworker):
    person = PersonFactory()
    with pytest.raises(DomainError) as exc:
        referral_create(center=adaptation, person=person, actor=caseworker)
    assert exc.value.code == "no_status"
    citizen = PersonFactory(citizenship=country("KZ"))
    with pytest.raises(DomainError) as exc:
        referral_create(center=CenterFactory(kind=CenterKind.TEMPORARY), person=citizen, actor=caseworker)
    assert exc.value.code == "citizen"


def test_an_unannounced_arrival_without_status_cannot_be_registered_at_an_adaptation_center(adaptation, clerk):
    with pytest.raises(DomainError) as exc:
        referral_register_arrival(
            center=adaptation, actor=clerk, surname="Жаңаев", given_name="Ерболат",
            birth_date=datetime.date(1990, 4, 2), sex="M", country_of_origin=country("CN"),
            citizenship=country("CN"), passport_number="E1234",
        )  # fmt: skip
    assert exc.value.code == "no_status"


@pytest.mark.parametrize(
    ("kind", "status", "citizenship", "kk_words"),
    [
        (CenterKind.TEMPORARY, False, "KZ", "Қазақстан азаматы"),
        (CenterKind.ADAPTATION, False, "CN", "қандас мәртебесі"),
        (CenterKind.TEMPORARY, True, "CN", "себебін"),
    ],
)
def test_the_refusals_are_translated_into_kazakh(clerk, kind, status, citizenship, kk_words):
    center = CenterFactory(kind=kind)
    staff_of(center, clerk)
    person = PersonFactory(citizenship=country(citizenship))
    if status:
        KandasStatusFactory(person=person)
    refer(center, person=person)
    with translation.override("kk"), pytest.raises(DomainError) as exc:
        _check_in(center, clerk, person=person)
    with translation.override("kk"):
        assert kk_words in str(exc.value.message)


def test_a_family_member_who_left_the_family_does_not_ride_on_its_status(adaptation, clerk):
    family = family_of(2)
    KandasStatusFactory(person=family.head)
    member = FamilyMember.objects.exclude(person=family.head).get(family=family)
    member.left_on = datetime.date.today()
    member.save()
    refer(adaptation, person=member.person)
    with pytest.raises(DomainError) as exc:
        _check_in(adaptation, clerk, person=member.person)
    assert exc.value.code == "no_status"
