"""Least privilege, written as the attacks it stops: a legitimate low-privilege login trying to do what
its role forbids (issue 11). The full matrix of endpoints × roles is tests/test_permission_matrix.py."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core import authz
from oralman import services
from oralman.models import Document, DuplicateFlag, FamilyMember, KandasStatus, Person, StatusApplication
from tests.adaptation_centers.factories import CenterFactory, refer, referred_check_in, staff_of
from tests.factories import FamilyFactory, KandasStatusFactory, PersonFactory, UserFactory, region

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def resident(center_staff):
    """A family staying in the clerk's center: the head is in the clerk's scope (they may read it)."""
    center = CenterFactory()
    staff_of(center, center_staff)
    family = FamilyFactory(head=PersonFactory(region=region("pavlodar")))
    child = PersonFactory(region=region("pavlodar"))
    FamilyMember.objects.create(family=family, person=child, relationship="child")
    status = KandasStatusFactory(person=family.head)
    # Check-in takes only those referred to the center (here with the reason a status holder needs).
    refer(center, family=family, status_holder_reason="a status holder in need of housing")
    referred_check_in(center=center, family=family, actor=None)
    return family, child, status


# --- Center staff may only read the files of their residents ------------------------------------------


def test_center_staff_can_read_their_residents_file(center_staff, resident):
    family, _child, _status = resident
    assert api(center_staff).get(f"/api/v1/persons/{family.head_id}/").status_code == 200


def test_center_staff_cannot_end_a_kandas_status_over_the_api(center_staff, resident):
    _family, _child, status = resident
    response = api(center_staff).post(f"/api/v1/statuses/{status.pk}/terminate/", {"reason": "departure"})
    assert response.status_code == 403
    assert KandasStatus.objects.get(pk=status.pk).terminated_on is None


def test_center_staff_cannot_edit_a_person_over_the_api(center_staff, resident):
    family, _child, _status = resident
    response = api(center_staff).patch(f"/api/v1/persons/{family.head_id}/", {"profession": "x"}, format="json")
    assert response.status_code == 403
    assert Person.objects.get(pk=family.head_id).profession != "x"


def test_center_staff_cannot_add_a_document_over_the_api(center_staff, resident):
    family, _child, _status = resident
    payload = {"person": family.head_id, "doc_type": "birth_certificate", "number": "B-1"}
    assert api(center_staff).post("/api/v1/documents/", payload, format="json").status_code == 403
    assert not Document.objects.filter(person=family.head).exists()


def test_center_staff_cannot_verify_a_document_over_the_api(center_staff, resident):
    family, _child, _status = resident
    document = Document.objects.create(person=family.head, doc_type="birth_certificate")
    assert api(center_staff).post(f"/api/v1/documents/{document.pk}/verify/").status_code == 403
    assert Document.objects.get(pk=document.pk).verified_at is None


def test_center_staff_cannot_remove_a_family_member_over_the_api(center_staff, resident):
    family, child, _status = resident
    member = FamilyMember.objects.get(family=family, person=child)
    response = api(center_staff).post(f"/api/v1/families/{family.pk}/remove-member/", {"member": member.pk})
    assert response.status_code == 403
    assert FamilyMember.objects.get(pk=member.pk).left_on is None


def test_center_staff_calling_a_service_directly_is_refused_too(center_staff, resident):
    _family, _child, status = resident
    with pytest.raises(authz.NotAllowed):
        services.status_terminate(status=status, actor=center_staff, reason="departure")


# --- The read-only analyst -----------------------------------------------------------------------------


@pytest.fixture
def writable_rows(caseworker):
    from tests.quotas.factories import file_request, make_year

    person = PersonFactory(region=region("pavlodar"))
    document = Document.objects.create(person=person, doc_type="birth_certificate")
    flag = DuplicateFlag.objects.create(person=person, other=PersonFactory(), reason="name_birth_date")
    request = file_request(make_year(shares={"pavlodar": 3}))
    from quotas.models import BenefitInstalment

    instalment = BenefitInstalment.objects.create(
        request=request, kind="relocation", sequence=1, due_on=timezone.localdate(), amount_mci=1, mci_tenge=1,
        amount_tenge=1,
    )  # fmt: skip
    return {"document": document, "flag": flag, "instalment": instalment}


@pytest.mark.parametrize(
    ("changelist", "action", "row", "unchanged"),
    [
        ("admin:oralman_document_changelist", "verify", "document", lambda r: r.verified_at is None),
        ("admin:oralman_duplicateflag_changelist", "resolve", "flag", lambda r: r.resolved_at is None),
        ("admin:quotas_benefitinstalment_changelist", "mark_paid", "instalment", lambda r: r.paid_on is None),
    ],
)
def test_the_analyst_cannot_run_the_admin_bulk_actions(client, analyst, writable_rows, changelist, action, row,
                                                       unchanged):  # fmt: skip
    target = writable_rows[row]
    client.force_login(analyst)
    client.post(reverse(changelist), {"action": action, "_selected_action": [target.pk]})
    target.refresh_from_db()
    assert unchanged(target)


def test_a_caseworker_still_runs_the_bulk_action_of_their_role(client, caseworker, writable_rows):
    client.force_login(caseworker)
    document = writable_rows["document"]
    client.post(reverse("admin:oralman_document_changelist"), {"action": "verify", "_selected_action": [document.pk]})
    document.refresh_from_db()
    assert document.verified_by == caseworker


@pytest.mark.parametrize(
    "lookup",
    [
        "auth_token_set__digest__startswith",
        "auth_token_set__token_key__startswith",
        "auth_token_set__digest",
        "apitoken__digest__startswith",
        "password__startswith",
    ],
)
def test_the_analyst_cannot_read_a_token_or_password_through_the_user_list(client, analyst, lookup):
    """An API token (knox: core.ApiToken) keeps only its digest and a short prefix; no filter on the
    user list may be used to guess either of them (or a password hash) one character at a time."""
    from core.services import api_token_issue

    owner = UserFactory(role="caseworker", region=region("pavlodar"))
    token, key = api_token_issue(user=owner, name="integration")
    secret = owner.password if lookup.startswith("password") else token.digest
    client.force_login(analyst)
    response = client.get(reverse("admin:core_user_changelist"), {lookup: secret[:1]})
    assert response.status_code == 400
    assert token.digest not in response.content.decode()
    assert key not in response.content.decode()


def test_the_user_list_still_filters_by_role_and_region(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("admin:core_user_changelist"), {"region__id__exact": region("pavlodar").pk})
    assert response.status_code == 200


# --- Foreign keys outside the scope: "does not exist", never the name -----------------------------------


def test_an_out_of_scope_person_in_a_serializer_is_refused_without_naming_them(caseworker):
    stranger = PersonFactory(region=region("akmola"), surname="Чужойрегионов")
    payload = {"person": stranger.pk, "doc_type": "birth_certificate", "number": "B-2"}
    response = api(caseworker).post("/api/v1/documents/", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"person"}
    assert "Чужойрегионов" not in response.content.decode()
    assert not Document.objects.filter(person=stranger).exists()


def test_a_document_links_only_to_its_own_persons_application_in_the_api(caseworker):
    person, other = PersonFactory(region=region("pavlodar")), PersonFactory(region=region("pavlodar"))
    application = StatusApplication.objects.create(applicant=other, region=other.region)
    payload = {"person": person.pk, "application": application.pk, "doc_type": "birth_certificate"}
    response = api(caseworker).post("/api/v1/documents/", payload, format="json")
    assert response.status_code == 400
    assert "application" in response.json()


def _person_page_post(person, **documents_inline):
    from tests.oralman.test_scoping import _admin_person_form

    data = _admin_person_form(person)
    data.update({"documents-TOTAL_FORMS": "1", **documents_inline})
    return data


def test_the_person_page_offers_only_the_persons_own_applications(client, caseworker):
    person = PersonFactory(region=region("pavlodar"))
    own = StatusApplication.objects.create(applicant=person, region=person.region)
    StatusApplication.objects.create(applicant=PersonFactory(region=region("pavlodar")), region=person.region)
    StatusApplication.objects.create(applicant=PersonFactory(region=region("akmola")), region=region("akmola"))
    client.force_login(caseworker)
    response = client.get(reverse("admin:oralman_person_change", args=[person.pk]))
    formset = response.context["inline_admin_formsets"][0].formset
    assert list(formset.form.base_fields["application"].queryset) == [own]


def test_the_person_page_refuses_another_regions_application_without_naming_its_applicant(client, caseworker):
    person = PersonFactory(region=region("pavlodar"))
    stranger = PersonFactory(region=region("akmola"), surname="Чужойрегионов")
    foreign = StatusApplication.objects.create(applicant=stranger, region=stranger.region)
    client.force_login(caseworker)
    data = _person_page_post(
        person, **{"documents-0-doc_type": "birth_certificate", "documents-0-application": str(foreign.pk)}
    )
    response = client.post(reverse("admin:oralman_person_change", args=[person.pk]), data)
    assert response.status_code == 200  # the form again, with the error
    assert not Document.objects.filter(application=foreign).exists()
    assert "Чужойрегионов" not in response.content.decode()


def test_a_duplicate_iin_from_another_region_is_refused_without_naming_its_holder(caseworker):
    from core.errors import DomainError
    from tests.factories import unique_iin

    holder = PersonFactory(region=region("akmola"), surname="Чужойрегионов")
    holder.iin = unique_iin(holder.birth_date, holder.sex)
    holder.save()
    fields = {f.name: getattr(holder, f.name) for f in Person._meta.fields if f.name not in ("id", "created_at",
              "updated_at", "name_key", "latin_key")}  # fmt: skip
    fields.update(region=region("pavlodar"), passport_number="ZZ000001")
    with pytest.raises(DomainError) as refused:
        services.person_create(actor=caseworker, **fields)
    assert "Чужойрегионов" not in str(refused.value.message)
    # The message may repeat the IIN the caller typed (whose digits may contain the holder's id).
    assert str(holder.pk) not in str(refused.value.message).replace(holder.iin, "")


# --- The permission class fails closed ------------------------------------------------------------------


def test_an_undeclared_writing_custom_action_is_refused(caseworker):
    from rest_framework.test import APIRequestFactory

    from core.api.permissions import ActionPermission
    from oralman.api.views import PersonViewSet

    request = APIRequestFactory().post("/api/v1/persons/1/undeclared/")
    request.user = caseworker
    view = PersonViewSet()
    view.action, view.action_map, view.request = "undeclared", {"post": "undeclared"}, request
    assert ActionPermission().has_permission(request, view) is False


def test_an_anonymous_api_request_is_refused():
    response = APIClient().get("/api/v1/persons/")
    assert response.status_code in (401, 403)


def test_another_regions_row_answers_404_before_its_input_is_read(caseworker):
    stranger = KandasStatusFactory(person=PersonFactory(region=region("akmola")))
    response = api(caseworker).post(f"/api/v1/statuses/{stranger.pk}/terminate/", {})
    assert response.status_code == 404  # not a 400 listing the missing fields of a row that exists


def test_the_person_page_refuses_a_duplicate_iin_from_another_region_without_naming_its_holder(client, caseworker):
    from tests.factories import unique_iin
    from tests.oralman.test_scoping import _admin_person_form

    holder = PersonFactory(region=region("akmola"), surname="Чужойрегионов")
    holder.iin = unique_iin(holder.birth_date, holder.sex)
    holder.save()
    person = PersonFactory(region=region("pavlodar"))
    client.force_login(caseworker)
    response = client.post(
        reverse("admin:oralman_person_change", args=[person.pk]), _admin_person_form(person, iin=holder.iin)
    )
    assert response.status_code == 200
    assert "iin" in response.context["adminform"].form.errors
    assert "Чужойрегионов" not in response.content.decode()
    assert Person.objects.get(pk=person.pk).iin != holder.iin
