import datetime

import pytest
from django.utils import timezone

from adaptation_centers.models import Attendance, Course, ServiceRecord
from adaptation_centers.services import (
    course_enrol,
    course_session_record,
    placement_check_out,
    service_record_log,
)
from core.errors import DomainError
from tests.adaptation_centers.factories import CenterFactory, family_of, kind, referred_check_in, staff_of
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_the_service_kinds_of_the_rules_are_loaded_in_three_languages():
    from adaptation_centers.models import ServiceKind

    assert ServiceKind.objects.count() >= 25
    kazakh = ServiceKind.objects.get(code="language-kazakh")
    assert (kazakh.name_ru, kazakh.name_kk, kazakh.is_course) == ("Курсы казахского языка", "Қазақ тілі курстары", True)
    assert not ServiceKind.objects.filter(name_kk="").exists()


def test_a_service_for_a_whole_group_logs_one_record_per_person_in_one_batch(center, clerk):
    placement = referred_check_in(center=center, family=family_of(3), actor=clerk)
    people = [o.person for o in placement.occupants.all()]
    records = service_record_log(center=center, kind=kind("info-orientation"), persons=people, hours=2, actor=clerk)
    assert len(records) == 3
    assert ServiceRecord.objects.filter(center=center, given_by=clerk, hours=2).count() == 3
    assert len({r.batch for r in ServiceRecord.objects.all()}) == 1


def test_a_service_for_someone_not_placed_there_is_refused_and_nothing_is_logged(center, clerk):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    elsewhere = CenterFactory()
    staff_of(elsewhere, clerk)
    stranger = PersonFactory()
    referred_check_in(center=elsewhere, person=stranger, actor=clerk)
    with pytest.raises(DomainError) as exc:
        service_record_log(center=center, kind=kind(), persons=[placement.person, stranger], actor=clerk)
    assert exc.value.code == "not_placed"
    assert "Не проживают" in str(exc.value.message)
    assert str(stranger) in str(exc.value.message)
    assert not ServiceRecord.objects.exists()


def test_a_service_dated_after_the_check_out_is_refused(center, clerk):
    placement = referred_check_in(
        center=center, person=PersonFactory(), actor=clerk, check_in_on=TODAY() - datetime.timedelta(days=5)
    )
    placement_check_out(
        placement=placement, actor=clerk, reason="housing", checked_out_on=TODAY() - datetime.timedelta(days=2)
    )
    service_record_log(
        center=center,
        kind=kind(),
        persons=[placement.person],
        actor=clerk,
        given_on=TODAY() - datetime.timedelta(days=2),
    )
    with pytest.raises(DomainError):
        service_record_log(center=center, kind=kind(), persons=[placement.person], actor=clerk, given_on=TODAY())
    assert ServiceRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"hours": 0}, "hours"), ({"hours": 25}, "hours"), ({"outcome": "language_level"}, "language_level")],
)
def test_bad_hours_or_an_outcome_without_its_level_are_refused(center, clerk, fields, field):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    with pytest.raises(DomainError) as exc:
        service_record_log(center=center, kind=kind(), persons=[placement.person], actor=clerk, **fields)
    assert exc.value.field == field


def test_a_language_level_reached_is_recorded_as_an_outcome(center, clerk):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    [record] = service_record_log(
        center=center, kind=kind("language-kazakh"), persons=[placement.person], actor=clerk,
        outcome="language_level", language_level="A2",
    )  # fmt: skip
    assert (record.outcome, record.language_level) == ("language_level", "A2")


def test_a_class_session_records_attendance_and_a_service_for_those_present(center, clerk):
    placement = referred_check_in(center=center, family=family_of(3), actor=clerk)
    people = [o.person for o in placement.occupants.all()]
    course = Course.objects.create(
        center=center, kind=kind("language-kazakh"), title="Қазақ тілі A1", starts_on=TODAY() - datetime.timedelta(days=10),
        ends_on=TODAY() + datetime.timedelta(days=60),
    )  # fmt: skip
    course_enrol(course=course, persons=people, actor=clerk)
    session = course_session_record(course=course, held_on=TODAY(), present=people[:2], actor=clerk)
    assert Attendance.objects.filter(session=session, present=True).count() == 2
    assert Attendance.objects.filter(session=session, present=False).count() == 1
    assert ServiceRecord.objects.filter(session=session, kind__code="language-kazakh").count() == 2
    with pytest.raises(DomainError):
        course_session_record(course=course, held_on=TODAY(), present=people, actor=clerk)
