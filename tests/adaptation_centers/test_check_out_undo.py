"""Check-out at the desk: a chosen reason, a confirmation step, and an undo for a few minutes
(services.placement_check_out_undo) that gives the beds back only if the center still has them."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from adaptation_centers.models import Placement, PlacementOccupant
from adaptation_centers.services import free_beds, placement_check_out, placement_check_out_undo
from core.audit import history_for
from core.authz import NotAllowed
from core.errors import DomainError
from tests.adaptation_centers.factories import CenterFactory, family_of, referred_check_in, staff_of
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def desk_url(center, name="desk", *args):
    return reverse(f"admin:adaptation_centers_center_{name}", args=[center.pk, *args])


def test_undo_reopens_the_stay_and_its_occupants_and_takes_the_beds_again(center, clerk):
    placement = referred_check_in(center=center, family=family_of(3), actor=clerk)
    placement_check_out(placement=placement, actor=clerk, reason="housing", note="by mistake")
    assert free_beds(center) == 20
    placement_check_out_undo(placement=placement, actor=clerk)
    placement.refresh_from_db()
    assert (placement.checked_out_on, placement.check_out_reason, placement.checked_out_at) == (None, "", None)
    assert PlacementOccupant.objects.filter(placement=placement, checked_out_on__isnull=True).count() == 3
    assert free_beds(center) == 17


def test_undo_is_audited_with_the_actor(center, clerk):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    placement_check_out(placement=placement, actor=clerk, reason="voluntary")
    placement_check_out_undo(placement=placement, actor=clerk)
    # One test transaction: every event has the same pgh_created_at, so the newest is the highest id.
    newest = history_for(placement).order_by("-pgh_id").first()
    assert newest.pgh_data["checked_out_on"] is None
    assert newest.pgh_context["user"] == clerk.pk
    assert newest.pgh_context["undo"] == "check_out"


def test_undo_after_the_window_is_refused(center, clerk, settings):
    settings.KANDAS_CHECKOUT_UNDO_MINUTES = 5
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    placement_check_out(placement=placement, actor=clerk, reason="voluntary")
    Placement.objects.filter(pk=placement.pk).update(checked_out_at=timezone.now() - datetime.timedelta(minutes=6))
    with pytest.raises(DomainError) as exc:
        placement_check_out_undo(placement=placement, actor=clerk)
    assert exc.value.code == "undo_expired"
    placement.refresh_from_db()
    assert placement.checked_out_on is not None


def test_undo_is_refused_when_the_beds_went_to_someone_else(clerk):
    small = CenterFactory(capacity=2)
    staff_of(small, clerk)
    first = referred_check_in(center=small, family=family_of(2), actor=clerk)
    placement_check_out(placement=first, actor=clerk, reason="housing")
    referred_check_in(center=small, person=PersonFactory(), actor=clerk)  # one of the two beds is gone
    with pytest.raises(DomainError) as exc:
        placement_check_out_undo(placement=first, actor=clerk)
    assert exc.value.code == "no_beds"
    first.refresh_from_db()
    assert first.checked_out_on is not None
    assert not PlacementOccupant.objects.filter(placement=first, checked_out_on__isnull=True).exists()


def test_undo_fits_exactly_the_beds_left(clerk):
    small = CenterFactory(capacity=3)
    staff_of(small, clerk)
    first = referred_check_in(center=small, family=family_of(2), actor=clerk)
    placement_check_out(placement=first, actor=clerk, reason="housing")
    referred_check_in(center=small, person=PersonFactory(), actor=clerk)
    placement_check_out_undo(placement=first, actor=clerk)
    assert free_beds(small) == 0


def test_undo_of_a_stay_not_checked_out_is_refused(center, clerk):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    with pytest.raises(DomainError) as exc:
        placement_check_out_undo(placement=placement, actor=clerk)
    assert exc.value.code == "not_checked_out"


def test_staff_of_another_center_cannot_undo(center, clerk, django_user_model):
    from tests.adaptation_centers.conftest import user_with_role

    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    placement_check_out(placement=placement, actor=clerk, reason="voluntary")
    stranger = user_with_role("center_staff")
    staff_of(CenterFactory(), stranger)
    with pytest.raises(NotAllowed):
        placement_check_out_undo(placement=placement, actor=stranger)
    placement.refresh_from_db()
    assert placement.checked_out_on is not None


# --- The desk -------------------------------------------------------------------------------------


def test_the_check_out_page_asks_for_a_reason_with_none_preselected(client, center, clerk):
    placement = referred_check_in(center=center, family=family_of(2), actor=clerk)
    client.force_login(clerk)
    page = client.get(desk_url(center, "check_out", placement.pk))
    assert page.status_code == 200
    form = page.context["form"]
    assert form["reason"].value() in (None, "")
    html = page.content.decode()
    assert 'id="leaving"' in html
    placement.refresh_from_db()
    assert placement.checked_out_on is None  # the GET only asks


def test_a_check_out_without_a_reason_is_refused_with_a_banner_and_the_field_marked(client, center, clerk):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    client.force_login(clerk)
    response = client.post(desk_url(center, "check_out", placement.pk), {"reason": ""})
    assert response.status_code == 400
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert 'class="errors required"' in response.content.decode() or 'class="required errors"' in (
        response.content.decode()
    )
    placement.refresh_from_db()
    assert placement.checked_out_on is None


def test_the_desk_offers_the_undo_and_the_undo_button_restores_the_stay(client, center, clerk):
    placement = referred_check_in(center=center, person=PersonFactory(), actor=clerk)
    client.force_login(clerk)
    response = client.post(desk_url(center, "check_out", placement.pk), {"reason": "housing"})
    assert response.status_code == 302
    page = client.get(desk_url(center))
    assert [p.pk for p, _until in page.context["undoable"]] == [placement.pk]
    assert desk_url(center, "undo_check_out", placement.pk) in page.content.decode()
    response = client.post(desk_url(center, "undo_check_out", placement.pk))
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.checked_out_on is None
    assert client.get(desk_url(center)).context["undoable"] == []


def test_desk_errors_show_as_a_banner_on_top_with_the_field_marked(client, center, clerk):
    client.force_login(clerk)
    response = client.post(desk_url(center, "check_in"), {"identifier": "NOSUCH123"})
    assert response.status_code == 400
    banner = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(banner) == 1 and banner[0].startswith("ИИН или номер паспорта")
    html = response.content.decode()
    assert html.index('class="messagelist"') < html.index('id="check-in-form"')
    assert 'class="errors' in html
