"""The family case file: one page per family, scoped, logged as a read, with a constant number of
queries; the family-wide filing; assignment and transfer of a case."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import ReadLogEntry
from core.authz import NotAllowed
from core.errors import DomainError
from oralman import selectors, services
from oralman.models import ApplicationState, CaseNote, Person, StatusApplication
from tests.factories import (
    FamilyFactory,
    KandasStatusFactory,
    PersonFactory,
    StatusApplicationFactory,
    UserFactory,
    file_required_documents,
)

S = ApplicationState


def family_of(n_children: int = 2, **kwargs):
    family = FamilyFactory(**kwargs)
    for i in range(n_children):
        child = PersonFactory(birth_date=datetime.date(2015 + i, 3, 1), region=family.region)
        services.family_add_member(family=family, person=child, relationship="child", actor=None)
    return family


def case_file_url(family) -> str:
    return reverse("admin:oralman_family_casefile", args=[family.pk])


@pytest.mark.django_db
def test_the_case_file_shows_the_family_and_logs_a_read_of_its_head(client, caseworker):
    family = family_of(2)
    client.force_login(caseworker)
    response = client.get(case_file_url(family))
    assert response.status_code == 200
    html = response.text
    assert f"F-{family.pk}" in html and family.head.surname in html
    assert "несовершеннолетний" in html or "minor" in html
    entry = ReadLogEntry.objects.get(user=caseworker)
    assert (entry.kind, entry.person_id) == ("family", family.head_id)


@pytest.mark.django_db
def test_another_regions_caseworker_gets_404(client, other_caseworker):
    client.force_login(other_caseworker)
    assert client.get(case_file_url(family_of(1))).status_code == 404


@pytest.mark.django_db
def test_center_staff_cannot_open_a_case_file(client, center_staff):
    client.force_login(center_staff)
    assert client.get(case_file_url(family_of(1))).status_code in (403, 404)


@pytest.mark.django_db
def test_the_analyst_reads_the_case_file_without_actions(client, analyst):
    client.force_login(analyst)
    response = client.get(case_file_url(family_of(1)))
    assert response.status_code == 200
    assert 'id="actions"' not in response.text and "Add note" not in response.text


def grow_history(family, actor, rounds: int) -> None:
    """Documents, notes, applications and status changes: the history grows with `rounds`."""
    head = family.head
    for i in range(rounds):
        services.document_add(person=head, actor=actor, doc_type="photo", number=f"P{i}")
        services.case_note_add(family=family, text=f"call {i}", actor=actor)
        services.person_update(person=head, actor=actor, profession=f"job {i}")
    application = StatusApplicationFactory(applicant=head, family=family)
    services.application_submit(application=application, actor=actor)
    for _ in range(rounds):
        services.application_return(application=application, actor=actor, reason="photo")
        services.application_submit(application=application, actor=actor)
    KandasStatusFactory(person=PersonFactory(region=family.region))


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_case_file_runs_a_constant_number_of_queries(client, caseworker):
    small, large = family_of(1), family_of(4)
    grow_history(small, caseworker, 1)
    grow_history(large, caseworker, 12)
    client.force_login(caseworker)
    client.get(case_file_url(small))  # warm the caches (content types, session)
    assert count_queries(client, case_file_url(small)) == count_queries(client, case_file_url(large))


@pytest.mark.django_db
def test_the_history_is_readable(client, caseworker):
    family = family_of(0)
    services.person_update(person=family.head, actor=caseworker, profession="инженер")
    client.force_login(caseworker)
    html = client.get(case_file_url(family)).text
    assert "Профессия" in html and "инженер" in html
    assert "pgh_" not in html and "+00:00" not in html


@pytest.mark.django_db
def test_the_history_page_shows_translated_fields_and_local_time(client, caseworker):
    person = PersonFactory()
    services.person_update(person=person, actor=caseworker, sex="F")
    client.force_login(caseworker)
    html = client.get(reverse("admin:oralman_person_history", args=[person.pk])).text
    assert "Пол" in html and "женский" in html
    assert "T" not in [c for c in html.split("<td")[1][:40] if c == "T"]


@pytest.mark.django_db
def test_a_person_in_a_family_opens_the_family_case_file(client, caseworker):
    family = family_of(1)
    client.force_login(caseworker)
    response = client.get(reverse("admin:oralman_person_casefile", args=[family.head.pk]))
    assert response.status_code == 302 and case_file_url(family) in response["Location"]


@pytest.mark.django_db
def test_a_person_without_a_family_has_a_case_file_of_their_own(client, caseworker):
    person = PersonFactory()
    client.force_login(caseworker)
    response = client.get(reverse("admin:oralman_person_casefile", args=[person.pk]))
    assert response.status_code == 200 and f"P-{person.pk}" in response.text


@pytest.mark.django_db
def test_record_pages_link_to_their_case_file(client, caseworker):
    family = family_of(0)
    application = StatusApplicationFactory(applicant=family.head, family=family)
    client.force_login(caseworker)
    for url in (
        reverse("admin:oralman_person_change", args=[family.head.pk]),
        reverse("admin:oralman_family_change", args=[family.pk]),
        reverse("admin:oralman_statusapplication_change", args=[application.pk]),
    ):
        assert (
            case_file_url(family) in client.get(url).text
            or reverse("admin:oralman_person_casefile", args=[family.head.pk]) in client.get(url).text
        ), url


@pytest.mark.django_db
def test_a_note_is_added_from_the_case_file(client, caseworker):
    family = family_of(0)
    client.force_login(caseworker)
    response = client.post(case_file_url(family), {"text": "called, will bring the photo"})
    assert response.status_code == 302
    assert CaseNote.objects.get(family=family).author == caseworker


# --- Family-wide filing -----------------------------------------------------------------------


@pytest.mark.django_db
def test_one_application_lists_every_eligible_member_and_names_the_others(caseworker):
    family = family_of(2)
    citizen = PersonFactory(region=family.region, citizen_since=datetime.date(2020, 1, 1))
    services.family_add_member(family=family, person=citizen, relationship="spouse", actor=None)
    uzbek = PersonFactory(region=family.region, ethnicity="uzbek")
    services.family_add_member(family=family, person=uzbek, relationship="parent", actor=None)
    filing = services.family_file_status_application(family=family, actor=caseworker)
    application = filing.application
    assert application.applicant == family.head
    assert application.listed_members.count() == 2
    assert {p.pk for p, _reason in filing.skipped} == {citizen.pk, uzbek.pk}


@pytest.mark.django_db
def test_the_family_filing_is_refused_to_another_region(other_caseworker):
    with pytest.raises(NotAllowed):
        services.family_file_status_application(family=family_of(1), actor=other_caseworker)


@pytest.mark.django_db
def test_the_case_file_files_the_family_application(client, caseworker):
    family = family_of(1)
    client.force_login(caseworker)
    response = client.post(reverse("admin:oralman_family_file_status", args=[family.pk]), {"channel": "psc"})
    assert response.status_code == 302
    assert StatusApplication.objects.get(applicant=family.head).listed_members.count() == 1


@pytest.mark.django_db
def test_every_certificate_of_the_family_prints_in_one_pdf(client, caseworker):
    family = family_of(1)
    for member in family.members.all():
        KandasStatusFactory(person=member.person)
    client.force_login(caseworker)
    url = reverse("admin:documents_issueddocument_family_certificates", args=[family.pk, "kk"])
    response = client.post(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.count(b"/Type /Page\n") + response.content.count(b"/Type /Page ") >= 2 or (
        response.content.startswith(b"%PDF")
    )
    assert ReadLogEntry.objects.filter(user=caseworker, kind="printout").count() == 2


# --- Assignment -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_caseworker_assigns_a_colleague_of_the_region(caseworker, region):
    colleague = UserFactory(role="caseworker", region=region, username="colleague")
    family = services.family_assign(family=family_of(0), caseworker=colleague, actor=caseworker)
    family.refresh_from_db()
    assert family.assigned_caseworker == colleague


@pytest.mark.django_db
def test_a_caseworker_of_another_region_cannot_be_assigned(caseworker, other_caseworker):
    with pytest.raises(DomainError):
        services.family_assign(family=family_of(0), caseworker=other_caseworker, actor=caseworker)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_caseworker", "analyst", "center_staff"])
def test_only_the_regions_caseworkers_and_administrators_assign(request, caseworker, who):
    with pytest.raises(NotAllowed):
        services.family_assign(family=family_of(0), caseworker=caseworker, actor=request.getfixturevalue(who))


@pytest.mark.django_db
def test_the_assignment_is_audited(caseworker):
    from core.audit import history_for

    family = services.family_assign(family=family_of(0), caseworker=caseworker, actor=caseworker)
    event = history_for(family).filter(pgh_label="update").get()
    assert event.pgh_context["user"] == caseworker.pk and event.pgh_context["action"] == "assign"


@pytest.mark.django_db
def test_assign_to_me_from_the_family_list(client, caseworker):
    family = family_of(0)
    client.force_login(caseworker)
    client.post(reverse("admin:oralman_family_changelist"), {"action": "assign_to_me", "_selected_action": [family.pk]})
    family.refresh_from_db()
    assert family.assigned_caseworker == caseworker


# --- Transfer ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_transfer_moves_the_family_its_members_and_open_applications(caseworker, other_caseworker, other_region):
    family = family_of(1)
    services.family_assign(family=family, caseworker=caseworker, actor=caseworker)
    open_application = StatusApplicationFactory(applicant=family.head, family=family)
    services.application_submit(application=open_application, actor=caseworker)
    child = family.members.exclude(person=family.head).get().person
    decided = StatusApplicationFactory(applicant=child, state=S.REFUSED, complete=False,
                                       refusal_ground_id=1, decided_on=datetime.date(2025, 1, 1))  # fmt: skip
    services.family_transfer(family=family, region=other_region, actor=caseworker, reason="moved to Kokshetau")
    family.refresh_from_db()
    assert family.region == other_region and family.assigned_caseworker is None
    assert set(Person.objects.filter(memberships__family=family).values_list("region", flat=True)) == {other_region.pk}
    open_application.refresh_from_db()
    decided.refresh_from_db()
    assert open_application.region == other_region
    assert decided.region != other_region
    assert not selectors.family_list(user=caseworker).filter(pk=family.pk).exists()
    assert selectors.family_list(user=other_caseworker).filter(pk=family.pk).exists()
    assert "moved to Kokshetau" in CaseNote.objects.get(family=family).text


@pytest.mark.django_db
def test_a_transfer_needs_a_reason(caseworker, other_region):
    with pytest.raises(DomainError):
        services.family_transfer(family=family_of(0), region=other_region, actor=caseworker, reason=" ")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_caseworker", "analyst", "center_staff"])
def test_only_the_regions_caseworkers_and_administrators_transfer(request, other_region, who):
    with pytest.raises(NotAllowed):
        services.family_transfer(
            family=family_of(0), region=other_region, actor=request.getfixturevalue(who), reason="x"
        )


@pytest.mark.django_db
def test_the_new_regions_caseworker_opens_the_transferred_case_file(client, caseworker, other_caseworker, other_region):
    family = family_of(0)
    client.force_login(caseworker)
    response = client.post(
        reverse("admin:oralman_family_transfer", args=[family.pk]), {"region": other_region.pk, "reason": "moved"}
    )
    assert response.status_code == 302
    assert client.get(case_file_url(family)).status_code == 404
    client.force_login(other_caseworker)
    assert client.get(case_file_url(family)).status_code == 200


@pytest.mark.django_db
def test_the_checklist_counts_what_is_missing_until_every_document_is_filed_and_verified(client, caseworker):
    family = family_of(0)
    client.force_login(caseworker)
    assert client.get(case_file_url(family)).context["file"].missing_count > 0
    file_required_documents(family.head)
    assert client.get(case_file_url(family)).context["file"].missing_count == 0


@pytest.mark.django_db
def test_the_certificate_number_on_a_granted_application_links_to_the_status_and_its_verification(client, caseworker):
    from documents.services import document_issue

    status = KandasStatusFactory()
    printed = document_issue(kind="kandas_certificate", subject=status, language="kk", actor=None)
    client.force_login(caseworker)
    html = client.get(reverse("admin:oralman_statusapplication_change", args=[status.application.pk])).text
    assert reverse("admin:oralman_kandasstatus_change", args=[status.pk]) in html
    assert reverse("documents:verify", args=[printed.code]) in html
