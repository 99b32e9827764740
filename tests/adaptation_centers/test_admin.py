"""A center clerk's day through the admin (Django's test client): arrivals, services, departures;
and what each role may see there."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from adaptation_centers.models import Placement, PlacementOccupant, ServiceRecord
from tests.adaptation_centers.factories import CenterFactory, family_of, refer, referred_check_in, staff_of
from tests.factories import PersonFactory, region

pytestmark = pytest.mark.django_db


def desk_url(center, name="desk", *args):
    return reverse(f"admin:adaptation_centers_center_{name}", args=[center.pk, *args])


def test_a_clerks_day_arrivals_services_departures(client, center, clerk):
    client.force_login(clerk)
    family = family_of(4)
    single = PersonFactory(passport_number="MN1234567")
    refer(center, family=family)  # the region's caseworker referred both
    refer(center, person=single)

    # Morning: the clerk opens the admin and lands on their desk.
    response = client.get(reverse("admin:adaptation_centers_center_my_desk"))
    assert response.status_code == 302 and response.url == desk_url(center)
    page = client.get(desk_url(center))
    assert page.context["desk"].free_beds == 20

    # Arrivals: a family by the head's passport number, then a single man.
    response = client.post(
        desk_url(center, "check_in"), {"identifier": family.head.passport_number, "whole_family": "on"}
    )
    assert response.status_code == 302
    response = client.post(desk_url(center, "check_in"), {"identifier": "MN1234567"})
    assert response.status_code == 302
    page = client.get(desk_url(center))
    assert page.context["desk"].free_beds == 15
    assert len(page.context["desk"].arrivals) == 2
    assert "Заселены" in page.content.decode() or "Заселен" in page.content.decode()

    # Services: a Kazakh class for the whole family, ticked on the desk in one form.
    from adaptation_centers.models import ServiceKind

    kazakh = ServiceKind.objects.get(code="language-kazakh")
    people = [str(o.person_id) for o in PlacementOccupant.objects.filter(placement__family=family)]
    response = client.post(
        desk_url(center, "services"),
        {
            "kind": kazakh.pk,
            "given_on": timezone.localdate().isoformat(),
            "hours": "2",
            "outcome": "given",
            "persons": people,
        },
    )
    assert response.status_code == 302
    assert ServiceRecord.objects.filter(kind=kazakh, center=center, given_by=clerk).count() == 4

    # Departures: the single man leaves for rented housing.
    placement = Placement.objects.get(person=single)
    response = client.post(desk_url(center, "check_out", placement.pk), {"reason": "housing"})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert (placement.checked_out_on, placement.check_out_reason) == (timezone.localdate(), "housing")
    page = client.get(desk_url(center))
    assert page.context["desk"].free_beds == 16
    assert [p.pk for p in page.context["desk"].departed] == [placement.pk]


def test_a_refused_check_in_shows_the_translated_reason_and_changes_nothing(client, clerk):
    small = CenterFactory(capacity=2)
    staff_of(small, clerk)
    client.force_login(clerk)
    family = family_of(3)
    refer(small, family=family)
    response = client.post(
        desk_url(small, "check_in"), {"identifier": family.head.passport_number, "whole_family": "on"}
    )
    assert response.status_code == 400
    assert "свободных мест: 2" in response.content.decode()
    assert not Placement.objects.exists()


def test_an_unknown_number_is_reported_on_the_form(client, center, clerk):
    client.force_login(clerk)
    response = client.post(desk_url(center, "check_in"), {"identifier": "XX000"})
    assert response.status_code == 400
    assert response.context["check_in_form"].errors["identifier"]


def test_a_service_for_someone_not_staying_here_is_refused_on_the_desk(client, center, clerk):
    client.force_login(clerk)
    elsewhere = CenterFactory()
    staff_of(elsewhere, clerk)
    stranger = PersonFactory()
    referred_check_in(center=elsewhere, person=stranger, actor=clerk)
    referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    response = client.post(
        desk_url(center, "services"),
        {
            "kind": 1,
            "given_on": timezone.localdate().isoformat(),
            "hours": "1",
            "outcome": "given",
            "persons": [stranger.pk],
        },
    )
    assert response.status_code == 400
    assert not ServiceRecord.objects.exists()


def test_overstays_are_highlighted_on_the_desk(client, center, clerk):
    placement = referred_check_in(
        center=center, person=PersonFactory(), actor=clerk, check_in_on=timezone.localdate() - datetime.timedelta(days=20),
        planned_check_out_on=timezone.localdate() - datetime.timedelta(days=1),
    )  # fmt: skip
    client.force_login(clerk)
    page = client.get(desk_url(center))
    assert [p.pk for p in page.context["desk"].overstays] == [placement.pk]
    assert "desk-overstay" in page.content.decode()


def test_check_out_and_extension_through_the_placement_buttons(client, center, clerk):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    client.force_login(clerk)
    url = reverse("admin:adaptation_centers_placement_transition", args=[placement.pk, "extend"])
    until = placement.planned_check_out_on + datetime.timedelta(days=30)
    assert client.post(url, {"until": until.isoformat(), "reason": "ждёт квартиру"}).status_code == 302
    placement.refresh_from_db()
    assert placement.planned_check_out_on == until
    url = reverse("admin:adaptation_centers_placement_transition", args=[placement.pk, "check_out"])
    yesterday = (placement.check_in_on - datetime.timedelta(days=1)).isoformat()
    client.post(url, {"reason": "housing", "checked_out_on": yesterday})
    placement.refresh_from_db()
    assert placement.checked_out_on is None  # refused: before check-in
    client.post(url, {"reason": "housing"})
    placement.refresh_from_db()
    assert placement.checked_out_on == timezone.localdate()


def test_a_clerk_cannot_open_another_centers_desk_or_placements(client, clerk):
    other = CenterFactory()
    theirs = referred_check_in(center=other, person=PersonFactory(), actor=None)
    client.force_login(clerk)
    assert client.get(desk_url(other)).status_code == 404
    assert client.post(desk_url(other, "check_in"), {"identifier": "x"}).status_code == 404
    assert client.get(reverse("admin:adaptation_centers_placement_change", args=[theirs.pk])).status_code in (302, 404)
    listing = client.get(reverse("admin:adaptation_centers_placement_changelist"))
    assert theirs not in listing.context["cl"].result_list


@pytest.mark.parametrize(
    ("who", "sees_ours", "sees_theirs"),
    [("administrator", True, True), ("analyst", True, True), ("caseworker", True, False), ("clerk", True, False)],
)
def test_placement_list_in_the_admin_is_scoped(client, center, request, who, sees_ours, sees_theirs):
    user = request.getfixturevalue(who)
    ours = referred_check_in(center=center, person=PersonFactory(), actor=None)
    theirs = referred_check_in(
        center=CenterFactory(region=region("akmola")), person=PersonFactory(region=region("akmola")), actor=None
    )
    client.force_login(user)
    listing = client.get(reverse("admin:adaptation_centers_placement_changelist"))
    assert listing.status_code == 200
    rows = set(listing.context["cl"].result_list)
    assert (ours in rows, theirs in rows) == (sees_ours, sees_theirs)


def test_an_analyst_sees_the_desk_without_forms_and_cannot_check_in(client, center, analyst):
    client.force_login(analyst)
    page = client.get(desk_url(center))
    assert page.status_code == 200 and not page.context["can_manage"]
    assert "check-in-form" not in page.content.decode()
    person = PersonFactory()
    refer(center, person=person)
    response = client.post(desk_url(center, "check_in"), {"identifier": person.passport_number})
    assert response.status_code == 403
    assert not Placement.objects.exists()


def _fill(center, n):
    for _ in range(n):
        referred_check_in(center=center, family=family_of(2), actor=None)


def test_the_desk_page_makes_the_same_number_of_queries_for_2_or_8_families(
    client, center, clerk, django_assert_max_num_queries
):
    client.force_login(clerk)
    _fill(center, 2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(desk_url(center)).status_code == 200
    _fill(center, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(desk_url(center)).status_code == 200


@pytest.mark.parametrize("model", ["placement", "servicerecord", "center"])
def test_admin_lists_make_the_same_number_of_queries_at_two_sizes(
    client, center, administrator, model, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from adaptation_centers.services import service_record_log
    from tests.adaptation_centers.factories import kind

    def grow(n):
        for _ in range(n):
            p = referred_check_in(center=CenterFactory(), family=family_of(2), actor=None)
            service_record_log(center=p.center, kind=kind(), persons=[p.person], actor=None)

    client.force_login(administrator)
    url = reverse(f"admin:adaptation_centers_{model}_changelist")
    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["administrator", "analyst", "caseworker", "clerk"])
@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_every_centers_admin_page_opens_for_every_role_in_every_language(client, center, request, who, lang):
    from django.contrib.auth.models import Permission

    from adaptation_centers.models import Course
    from adaptation_centers.services import service_record_log
    from tests.adaptation_centers.factories import kind

    user = request.getfixturevalue(who)
    placement = referred_check_in(center=center, family=family_of(2), actor=None)
    referral = refer(center, person=PersonFactory())
    service_record_log(center=center, kind=kind(), persons=[placement.person], actor=None)
    course = Course.objects.create(
        center=center, kind=kind("language-kazakh"), title="Қазақ тілі", starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    client.force_login(user)
    client.cookies["django_language"] = lang
    urls = [
        reverse(f"admin:adaptation_centers_{m}_changelist")
        for m in ("center", "placement", "servicerecord", "servicekind", "course", "placementalert", "referral")
    ] + [
        reverse("admin:adaptation_centers_referral_add"),
        reverse("admin:adaptation_centers_referral_change", args=[referral.pk]),
        reverse("admin:adaptation_centers_center_change", args=[center.pk]),
        reverse("admin:adaptation_centers_placement_change", args=[placement.pk]),
        reverse("admin:adaptation_centers_course_change", args=[course.pk]),
        desk_url(center),
        reverse("admin:index"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
    perms = set(Permission.objects.filter(group__user=user).values_list("codename", flat=True))
    if who in ("administrator", "analyst", "clerk") or "view_placement" in perms:
        assert client.get(reverse("admin:adaptation_centers_placement_changelist")).status_code == 200


def test_a_clerk_records_a_class_with_attendance_in_the_admin(client, center, clerk):
    from adaptation_centers.models import Attendance, Course
    from adaptation_centers.services import course_enrol
    from tests.adaptation_centers.factories import kind

    placement = referred_check_in(center=center, family=family_of(3), actor=clerk)
    people = [o.person for o in placement.occupants.all()]
    course = Course.objects.create(
        center=center, kind=kind("language-kazakh"), title="Қазақ тілі A1", starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    course_enrol(course=course, persons=people, actor=clerk)
    client.force_login(clerk)
    url = reverse("admin:adaptation_centers_course_session", args=[course.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"held_on": timezone.localdate().isoformat(), "hours": "2", "present": [str(p.pk) for p in people[:2]]}
    )
    assert response.status_code == 302
    assert Attendance.objects.filter(present=True).count() == 2
    assert ServiceRecord.objects.filter(kind__code="language-kazakh").count() == 2


def test_a_service_added_through_the_record_form_is_refused_for_someone_not_staying_there(client, center, clerk):
    from tests.adaptation_centers.factories import kind

    stranger = PersonFactory()
    client.force_login(clerk)
    url = reverse("admin:adaptation_centers_servicerecord_add")
    data = {"center": center.pk, "person": stranger.pk, "kind": kind().pk, "given_on": timezone.localdate().isoformat(),
            "hours": "1", "outcome": "given"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200  # the form comes back with the error
    assert not ServiceRecord.objects.exists()
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    data["person"] = placement.person_id
    assert client.post(url, data).status_code == 302
    assert ServiceRecord.objects.get().created_by == clerk


def test_an_administrator_assigns_only_center_staff_to_a_center(
    client, center, administrator, caseworker, center_staff
):
    from adaptation_centers.models import CenterStaff

    client.force_login(administrator)
    url = reverse("admin:adaptation_centers_center_change", args=[center.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "region"} | {"region": center.region_id}
    data |= {"is_open": "on", "staff-TOTAL_FORMS": "1", "staff-INITIAL_FORMS": "0", "staff-0-since": "2026-01-01"}
    response = client.post(url, {**data, "staff-0-user": caseworker.pk})
    assert response.status_code == 200 and not CenterStaff.objects.exists()
    response = client.post(url, {**data, "staff-0-user": center_staff.pk})
    assert response.status_code == 302
    assert CenterStaff.objects.filter(center=center, user=center_staff).exists()


def test_the_desk_offers_check_in_only_for_referrals_the_check_in_accepts(client, clerk):
    from adaptation_centers.models import CenterKind
    from tests.factories import KandasStatusFactory

    temporary = CenterFactory(kind=CenterKind.TEMPORARY)
    staff_of(temporary, clerk)
    client.force_login(clerk)
    holder, newcomer = PersonFactory(), PersonFactory()
    KandasStatusFactory(person=holder)  # a status holder referred without a reason: check-in refuses him
    refused = refer(temporary, person=holder)
    accepted = refer(temporary, person=newcomer)
    html = client.get(desk_url(temporary)).content.decode()
    assert f'name="referral" value="{accepted.pk}"' in html
    assert f'name="referral" value="{refused.pk}"' not in html
    from django.utils.html import escape

    from adaptation_centers.services import referral_check_in_refusal

    reason = referral_check_in_refusal(referral=refused, actor=clerk)
    assert reason and escape(reason) in html  # the reason printed instead of the button
    # The same rule as the service: the hidden referral is the one placement_check_in refuses.
    response = client.post(desk_url(temporary, "check_in"), {"referral": refused.pk})
    assert response.status_code == 400 and not Placement.objects.exists()


def test_a_refused_check_in_is_printed_once_as_the_banner_and_the_field_is_outlined(client, center, clerk):
    client.force_login(clerk)
    response = client.post(desk_url(center, "check_in"), {"identifier": "XX000"})
    assert response.status_code == 400
    html = response.content.decode()
    message = str(response.context["check_in_form"].errors["identifier"][0])
    assert html.count(message) == 1  # the banner, not again inside the form
    assert 'class="errors' in html  # the field is outlined
