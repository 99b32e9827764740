"""Changes of who may do what (users, roles, center staff), printouts and duplicate flags are
audited with the acting user, like every change of a case."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from adaptation_centers.services import center_staff_assign
from core.audit import acting, history_for
from core.models import User
from documents import services as documents
from documents.models import IssuedDocument
from oralman import services
from oralman.models import DuplicateFlag
from tests.adaptation_centers.factories import CenterFactory
from tests.factories import KandasStatusFactory, PersonFactory, UserFactory


def _events(model_label: str, **data):
    from pghistory.models import MiddlewareEvents

    events = MiddlewareEvents.objects.filter(pgh_model=model_label).order_by("pgh_created_at")
    return [e for e in events if all((e.pgh_data or {}).get(k) == v for k, v in data.items())]


@pytest.mark.django_db
def test_a_role_given_by_an_administrator_is_recorded_with_the_administrator(administrator):
    user = UserFactory(username="newcomer")
    with acting(administrator):
        user.groups.add(Group.objects.get(name="caseworker"))
        user.groups.remove(Group.objects.get(name="caseworker"))
    added, removed = _events("core.UserGroupEvent", user_id=user.pk)
    assert (added.pgh_label, removed.pgh_label) == ("group.add", "group.remove")
    assert added.pgh_context["user"] == removed.pgh_context["user"] == administrator.pk


@pytest.mark.django_db
def test_region_and_flags_changes_are_recorded_but_never_the_password_hash(administrator, region):
    user = UserFactory(username="clerk")
    with acting(administrator):
        User.objects.filter(pk=user.pk).update(region=region, is_active=False, is_staff=False, is_superuser=True)
        user.refresh_from_db()
        user.set_password("another-long-passphrase")
        user.save()
    events = {e.pgh_label: e for e in history_for(user) if e.pgh_context}
    update, password = events["update"], events["password.change"]
    assert update.pgh_diff == {
        "region_id": [None, region.pk],
        "is_active": [True, False],
        "is_staff": [True, False],
        "is_superuser": [False, True],
    }
    assert update.pgh_context["user"] == administrator.pk
    assert password.pgh_label == "password.change" and password.pgh_context["user"] == administrator.pk
    assert "password" not in password.pgh_data
    assert all("password" not in (e.pgh_data or {}) for e in history_for(user))


@pytest.mark.django_db
def test_a_login_writes_no_user_event(client):
    user = UserFactory(username="quiet")
    before = len(history_for(user))
    # Through the login page (django-axes needs the request to count failures).
    response = client.post("/admin/login/", {"username": "quiet", "password": "demo-pass-123"})
    assert response.status_code == 302
    assert len(history_for(user)) == before


@pytest.mark.django_db
def test_a_role_change_in_the_user_admin_records_the_administrator(client, administrator):
    user = UserFactory(username="promoted", role="caseworker")
    client.force_login(administrator)
    url = reverse("admin:core_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or name == "password":
            continue
        if name == "date_joined":
            data["date_joined_0"], data["date_joined_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
        elif name == "last_login":
            continue
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple) or hasattr(value, "all"):
            continue
        else:
            data[name] = getattr(value, "pk", value)
    data["groups"] = [Group.objects.get(name="ministry_analyst").pk]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    labels = [(e.pgh_label, (e.pgh_context or {}).get("user")) for e in _events("core.UserGroupEvent", user_id=user.pk)]
    assert ("group.remove", administrator.pk) in labels and ("group.add", administrator.pk) in labels
    history = client.get(reverse("admin:core_user_history", args=[user.pk])).text
    assert "ministry_analyst" in history and "administrator" in history


@pytest.mark.django_db
def test_a_center_staff_assignment_records_the_administrator(administrator, center_staff):
    assignment = center_staff_assign(center=CenterFactory(), user=center_staff, actor=administrator)
    [event] = history_for(assignment)
    assert event.pgh_label == "insert" and event.pgh_context["user"] == administrator.pk


@pytest.mark.django_db
def test_removing_a_center_staff_assignment_is_recorded(administrator, center_staff):
    assignment = center_staff_assign(center=CenterFactory(), user=center_staff, actor=administrator)
    pk = assignment.pk
    with acting(administrator):
        assignment.delete()
    [deleted] = _events("adaptation_centers.CenterStaffEvent", id=pk)[1:]
    assert deleted.pgh_label == "delete" and deleted.pgh_context["user"] == administrator.pk


@pytest.mark.django_db
def test_issuing_a_printout_records_the_caseworker(client, caseworker):
    status = KandasStatusFactory()
    issued = documents.document_issue(kind="kandas_certificate", subject=status, language="kk", actor=caseworker)
    [event] = history_for(issued)
    assert event.pgh_context["user"] == caseworker.pk
    client.force_login(caseworker)
    url = reverse("admin:documents_issueddocument_certificate", args=[status.pk, "ru"])
    client.post(url)
    [event] = history_for(IssuedDocument.objects.get(language="ru"))
    assert event.pgh_context == {"user": caseworker.pk, "url": url}


@pytest.mark.django_db
def test_cancelling_a_printout_in_the_admin_records_the_administrator(client, administrator, caseworker):
    issued = documents.document_issue(
        kind="kandas_certificate", subject=KandasStatusFactory(), language="kk", actor=caseworker
    )
    client.force_login(administrator)
    url = reverse("admin:documents_issueddocument_change", args=[issued.pk])
    assert client.post(url, {"cancelled_at_0": "01.03.2026", "cancelled_at_1": "10:00:00"}).status_code == 302
    update = next(e for e in history_for(issued) if e.pgh_label == "update")
    assert update.pgh_context["user"] == administrator.pk and "cancelled_at" in update.pgh_diff


@pytest.mark.django_db
def test_duplicate_flags_are_recorded_when_raised_and_when_resolved(client, caseworker):
    first = PersonFactory(passport_number="N1234567")
    second = services.person_create(
        actor=caseworker,
        surname="Қасымов",
        given_name="Бауыржан",
        surname_latin="Kasymov",
        given_name_latin="Bauyrzhan",
        birth_date=first.birth_date,
        sex="M",
        passport_number="N1234567",
        country_of_origin_id=first.country_of_origin_id,
        region_id=caseworker.region_id,
    ).person
    flag = DuplicateFlag.objects.get(person=second, other=first, reason="passport")
    [raised] = history_for(flag)
    assert raised.pgh_label == "insert" and raised.pgh_context["user"] == caseworker.pk
    client.force_login(caseworker)
    client.post(reverse("admin:oralman_duplicateflag_changelist"), {"action": "resolve", "_selected_action": [flag.pk]})
    resolved = next(e for e in history_for(flag) if e.pgh_label == "update")
    assert resolved.pgh_context["user"] == caseworker.pk and "resolved_at" in resolved.pgh_diff
