"""The status law, rule by rule (DOMAIN.md, the status): who is eligible, the family application,
the required documents, the IIN at the grant, the commission step and the migration portal."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from core.errors import DomainError
from oralman import services
from oralman.models import (
    ApplicationState,
    Channel,
    Document,
    DocumentType,
    KandasStatus,
    StatusRequiredDocument,
    TerminationReason,
    Translation,
)
from tests.factories import (
    FamilyFactory,
    KandasStatusFactory,
    PersonFactory,
    StatusApplicationFactory,
    file_required_documents,
    unique_iin,
)
from tests.oralman.conftest import perform, through_commission

S = ApplicationState
D = datetime.date


@pytest.fixture(autouse=True)
def _in_english():
    """The messages are asserted in English (their msgids); the UI default is Russian."""
    with translation.override("en"):
        yield


def _years_ago(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


def _reviewed(application, caseworker):
    """Submit, review and (under the rules in force today) take through the commission."""
    perform(application, S.SUBMITTED, actor=caseworker)
    perform(application, S.UNDER_REVIEW, actor=caseworker)
    through_commission(application, actor=caseworker)
    return application


# --- 1. Eligibility (Law on Migration art. 1 as amended 13.05.2020) ---------------------------------


@pytest.mark.django_db
def test_a_person_of_another_nationality_is_refused_at_submission(caseworker):
    application = StatusApplicationFactory(applicant=PersonFactory(ethnicity="uzbek"))
    with pytest.raises(DomainError) as exc:
        services.application_submit(application=application, actor=caseworker)
    assert exc.value.code == "not_eligible"
    assert "not Kazakh" in str(exc.value.message)
    application.refresh_from_db()
    assert application.state == S.DRAFT


@pytest.mark.django_db
def test_a_person_of_another_nationality_is_refused_at_the_grant(caseworker):
    application = _reviewed(StatusApplicationFactory(), caseworker)
    application.applicant.ethnicity = "russian"
    application.applicant.save(update_fields=["ethnicity"])
    with pytest.raises(DomainError) as exc:
        services.application_grant(application=application, actor=caseworker)
    assert exc.value.code == "not_eligible"
    assert not KandasStatus.objects.filter(person=application.applicant).exists()


@pytest.mark.django_db
def test_the_nationality_must_be_backed_by_a_document_filed_at_submission(caseworker):
    application = StatusApplicationFactory(complete=False)
    with pytest.raises(DomainError) as exc:
        services.application_submit(application=application, actor=caseworker)
    assert "No document proves the Kazakh nationality" in str(exc.value.message)


@pytest.mark.django_db
def test_the_grant_needs_the_nationality_document_verified(caseworker):
    application = _reviewed(StatusApplicationFactory(), caseworker)
    Document.objects.filter(person=application.applicant, doc_type=DocumentType.ETHNICITY_PROOF).update(
        verified_at=None, verified_by=None
    )
    with pytest.raises(DomainError) as exc:
        services.application_grant(application=application, actor=caseworker)
    assert "No verified document proves the Kazakh nationality" in str(exc.value.message)


@pytest.mark.django_db
def test_a_former_citizen_of_kazakhstan_cannot_apply(caseworker):
    person = PersonFactory(former_kz_citizen=True)
    with pytest.raises(DomainError) as exc:
        services.application_create(applicant=person, region=person.region, actor=caseworker)
    assert exc.value.code == "not_eligible"


@pytest.mark.django_db
def test_a_former_citizen_answer_recorded_later_refuses_the_grant(caseworker):
    application = _reviewed(StatusApplicationFactory(), caseworker)
    application.applicant.former_kz_citizen = True
    application.applicant.save(update_fields=["former_kz_citizen"])
    with pytest.raises(DomainError) as exc:
        services.application_grant(application=application, actor=caseworker)
    assert "citizen of Kazakhstan" in str(exc.value.message)


@pytest.mark.django_db
def test_an_unanswered_former_citizen_question_blocks_submission(caseworker):
    application = StatusApplicationFactory(applicant=PersonFactory(former_kz_citizen=None))
    with pytest.raises(DomainError) as exc:
        services.application_submit(application=application, actor=caseworker)
    assert "Record whether" in str(exc.value.message)


@pytest.mark.django_db
def test_a_new_application_after_a_revoked_status_warns_but_is_accepted(caseworker):
    status = KandasStatusFactory(
        issued_on=D(2024, 1, 10), valid_until=D(2025, 1, 10), terminated_on=D(2024, 6, 1),
        termination_reason=TerminationReason.REVOKED,
    )  # fmt: skip
    application = services.application_create(applicant=status.person, region=status.person.region, actor=caseworker)
    assert application.state == S.DRAFT
    [warning] = application.warnings
    assert status.certificate_number in warning and "01.06.2024" in warning
    assert services.application_warnings(application) == application.warnings


@pytest.mark.django_db
def test_an_expired_earlier_status_raises_no_warning(caseworker):
    status = KandasStatusFactory(
        issued_on=D(2024, 1, 10), valid_until=D(2025, 1, 10), terminated_on=D(2025, 1, 11),
        termination_reason=TerminationReason.EXPIRY,
    )  # fmt: skip
    application = services.application_create(applicant=status.person, region=status.person.region, actor=caseworker)
    assert application.warnings == []


# --- 2. The family application -------------------------------------------------------------------


@pytest.fixture
def family_case(caseworker):
    """A father applying for himself, his wife and their 3-year-old son; every file complete."""
    family = FamilyFactory()
    father = family.head
    wife = PersonFactory(sex="F")
    son = PersonFactory(birth_date=_years_ago(3))
    services.family_add_member(family=family, person=wife, relationship="spouse", actor=caseworker)
    services.family_add_member(family=family, person=son, relationship="child", actor=caseworker)
    application = StatusApplicationFactory(applicant=father, family=family)
    for member in (wife, son):
        file_required_documents(member)
        services.application_list_member(application=application, person=member, actor=caseworker)
    return application, father, wife, son


@pytest.mark.django_db
def test_one_application_grants_each_listed_member_a_status_and_certificate(caseworker, family_case):
    application, father, wife, son = family_case
    _reviewed(application, caseworker)
    iins = {wife.pk: unique_iin(wife.birth_date, "F"), son.pk: unique_iin(son.birth_date, "M")}
    status = services.application_grant(application=application, actor=caseworker, iins=iins)

    statuses = KandasStatus.objects.filter(application=application).order_by("id")
    assert [s.person for s in statuses] == [father, wife, son]
    assert len({s.certificate_number for s in statuses}) == 3
    assert status.person == father and len(status.family_statuses) == 2
    assert application.status == status
    son.refresh_from_db()
    assert son.iin == iins[son.pk]


@pytest.mark.django_db
def test_a_minor_member_is_represented_by_the_applicant(family_case):
    application, father, wife, son = family_case
    rows = {m.person_id: m.representative_id for m in application.listed_members.all()}
    assert rows == {wife.pk: None, son.pk: father.pk}


@pytest.mark.django_db
def test_a_listed_member_of_another_nationality_blocks_the_grant_by_name(caseworker, family_case):
    application, father, wife, son = family_case
    _reviewed(application, caseworker)
    wife.ethnicity = "uzbek"
    wife.save(update_fields=["ethnicity"])
    with pytest.raises(DomainError) as exc:
        services.application_grant(application=application, actor=caseworker, iins={})
    assert wife.full_name in str(exc.value.message)
    assert not KandasStatus.objects.filter(application=application).exists()


@pytest.mark.django_db
def test_only_a_member_of_the_applicants_family_can_be_listed(caseworker):
    application = StatusApplicationFactory(family=FamilyFactory())
    with pytest.raises(DomainError) as exc:
        services.application_list_member(application=application, person=PersonFactory(), actor=caseworker)
    assert "not a member of the applicant's family" in str(exc.value.message)


@pytest.mark.django_db
def test_a_three_year_old_cannot_apply_alone(caseworker):
    child = PersonFactory(birth_date=_years_ago(3))
    with pytest.raises(DomainError) as exc:
        services.application_create(applicant=child, region=child.region, actor=caseworker)
    assert exc.value.code == "minor_alone"


@pytest.mark.django_db
def test_a_three_year_old_cannot_be_granted_alone(caseworker):
    child = PersonFactory(birth_date=_years_ago(3))
    application = StatusApplicationFactory(applicant=child, state=S.COMMISSION, commission_recommendation="grant")
    with pytest.raises(DomainError) as exc:
        services.application_grant(application=application, actor=caseworker)
    assert exc.value.code == "minor_alone"
    assert not KandasStatus.objects.filter(person=child).exists()


@pytest.mark.django_db
def test_a_minor_may_apply_through_an_adult_representative(caseworker):
    child, mother = PersonFactory(birth_date=_years_ago(17)), PersonFactory(sex="F")
    application = services.application_create(
        applicant=child, region=child.region, actor=caseworker, representative=mother
    )
    file_required_documents(child)
    child.iin = unique_iin(child.birth_date, "M")
    child.save(update_fields=["iin"])
    _reviewed(application, caseworker)
    assert services.application_grant(application=application, actor=caseworker).person == child


@pytest.mark.django_db
def test_a_minor_cannot_represent_a_minor(caseworker):
    child, sibling = PersonFactory(birth_date=_years_ago(10)), PersonFactory(birth_date=_years_ago(16))
    with pytest.raises(DomainError) as exc:
        services.application_create(applicant=child, region=child.region, actor=caseworker, representative=sibling)
    assert exc.value.field == "representative"


# --- 3. The required documents checklist -----------------------------------------------------------


@pytest.mark.django_db
def test_autobiography_and_purpose_of_move_are_required_documents():
    required = {r.doc_type: r for r in StatusRequiredDocument.objects.filter(active=True)}
    assert {"application_form", "autobiography", "purpose_of_move", "passport", "ethnicity_proof", "photo"} <= set(
        required
    )
    assert required["passport"].needs_translation and required["ethnicity_proof"].needs_translation
    assert required["passport"].for_whom == StatusRequiredDocument.ForWhom.EVERY_PERSON


@pytest.mark.django_db
def test_a_grant_with_missing_documents_is_refused_with_the_list_of_what_is_missing(caseworker):
    application = _reviewed(StatusApplicationFactory(), caseworker)
    Document.objects.filter(
        person=application.applicant, doc_type__in=[DocumentType.AUTOBIOGRAPHY, DocumentType.PURPOSE_OF_MOVE]
    ).delete()
    with pytest.raises(DomainError) as exc:
        services.application_grant(application=application, actor=caseworker)
    assert exc.value.code == "documents_missing"
    message = str(exc.value.message)
    assert str(DocumentType.AUTOBIOGRAPHY.label) in message and str(DocumentType.PURPOSE_OF_MOVE.label) in message
    application.refresh_from_db()
    assert application.state == S.COMMISSION


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"verified_at": None, "verified_by": None}, "unverified"),
        ({"translation": ""}, "translation"),
        ({"issued_on": D(2010, 1, 1), "valid_until": D(2020, 1, 1)}, "expired"),
    ],
)
def test_an_unverified_untranslated_or_expired_document_does_not_count(caseworker, change, problem):
    application = _reviewed(StatusApplicationFactory(), caseworker)
    Document.objects.filter(person=application.applicant, doc_type=DocumentType.PASSPORT).update(**change)
    assert [(m.doc_type, m.problem) for m in services.missing_documents(application)] == [("passport", problem)]
    with pytest.raises(DomainError):
        services.application_grant(application=application, actor=caseworker)


@pytest.mark.django_db
def test_an_original_in_kazakh_or_russian_needs_no_translation(caseworker):
    application = StatusApplicationFactory()
    Document.objects.filter(person=application.applicant).update(translation=Translation.ORIGINAL)
    assert services.missing_documents(application) == []


@pytest.mark.django_db
def test_each_listed_member_needs_their_own_identity_and_nationality_documents(caseworker, family_case):
    application, father, wife, son = family_case
    Document.objects.filter(person=son, doc_type=DocumentType.PASSPORT).delete()
    assert [(m.person, m.doc_type) for m in services.missing_documents(application)] == [(son, "passport")]


@pytest.mark.django_db
def test_under_the_october_2025_rules_an_incomplete_package_is_refused_at_submission(caseworker):
    application = StatusApplicationFactory()
    Document.objects.filter(person=application.applicant, doc_type=DocumentType.AUTOBIOGRAPHY).delete()
    with pytest.raises(DomainError) as exc:
        services.application_submit(application=application, actor=caseworker, today=D(2026, 3, 2))
    assert exc.value.code == "documents_missing"
    # Under the 2021 rules the package was completed later (a return for documents).
    services.application_submit(application=application, actor=caseworker, today=D(2024, 3, 4))
    application.refresh_from_db()
    assert application.state == S.SUBMITTED


# --- 5. The IIN at the grant ------------------------------------------------------------------------


@pytest.fixture
def without_iin(caseworker):
    application = _reviewed(StatusApplicationFactory(), caseworker)
    application.applicant.iin = None
    application.applicant.save(update_fields=["iin"])
    return application


@pytest.mark.django_db
def test_the_grant_requires_an_iin_when_the_person_has_none(caseworker, without_iin):
    with pytest.raises(DomainError) as exc:
        services.application_grant(application=without_iin, actor=caseworker)
    assert (exc.value.code, exc.value.field) == ("iin_required", "iin")


@pytest.mark.django_db
def test_the_grant_records_the_iin_with_the_first_certificate(caseworker, without_iin):
    person = without_iin.applicant
    iin = unique_iin(person.birth_date, person.sex)
    status = services.application_grant(application=without_iin, actor=caseworker, iin=iin)
    person.refresh_from_db()
    assert person.iin == iin and status.warnings == []


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["123", "900101300005"])
def test_the_grant_refuses_an_invalid_iin(caseworker, without_iin, bad):
    with pytest.raises(DomainError) as exc:
        services.application_grant(application=without_iin, actor=caseworker, iin=bad)
    assert exc.value.code == "iin_invalid"


@pytest.mark.django_db
def test_the_grant_refuses_an_iin_encoding_a_future_birth_date(caseworker, without_iin):
    future = unique_iin(D(2080, 5, 5), "M")
    with pytest.raises(DomainError) as exc:
        services.application_grant(application=without_iin, actor=caseworker, iin=future)
    assert "future" in str(exc.value.message)
    without_iin.applicant.refresh_from_db()
    assert without_iin.applicant.iin is None


@pytest.mark.django_db
def test_the_grant_refuses_an_iin_of_another_person(caseworker, without_iin):
    other = PersonFactory(iin=unique_iin(D(1980, 1, 1), "M"))
    with pytest.raises(DomainError) as exc:
        services.application_grant(application=without_iin, actor=caseworker, iin=other.iin)
    assert exc.value.code == "duplicate"


@pytest.mark.django_db
def test_the_grant_does_not_name_the_holder_of_an_iin_in_another_region(caseworker, without_iin):
    from tests.factories import region

    other = PersonFactory(iin=unique_iin(D(1980, 1, 1), "M"), region=region("akmola"), surname="Чужаков")
    with pytest.raises(DomainError) as exc:
        services.application_grant(application=without_iin, actor=caseworker, iin=other.iin)
    assert exc.value.code == "duplicate"
    assert "Чужаков" not in str(exc.value.message) and str(other.pk) not in str(exc.value.message).replace(
        other.iin, ""
    )


# --- 6. The commission step and the migration portal --------------------------------------------------


@pytest.mark.django_db
def test_under_the_october_2025_rules_the_grant_waits_for_the_commission(caseworker):
    application = StatusApplicationFactory()
    perform(application, S.SUBMITTED, actor=caseworker, today=D(2026, 3, 2))
    perform(application, S.UNDER_REVIEW, actor=caseworker)
    with pytest.raises(DomainError) as exc:
        services.application_grant(application=application, actor=caseworker)
    assert exc.value.code == "commission_first"
    referred = services.application_refer_to_commission(application=application, actor=caseworker, today=D(2026, 3, 2))
    assert referred.commission_due == D(2026, 3, 5)  # 3 working days
    with pytest.raises(DomainError):
        services.application_grant(application=application, actor=caseworker)  # no recommendation yet
    services.application_commission_recommend(application=application, actor=caseworker, recommendation="grant")
    assert services.application_grant(application=application, actor=caseworker).application == application


@pytest.mark.django_db
def test_before_2025_there_is_no_commission_step(caseworker):
    application = StatusApplicationFactory()
    perform(application, S.SUBMITTED, actor=caseworker, today=D(2024, 3, 4))
    perform(application, S.UNDER_REVIEW, actor=caseworker)
    with pytest.raises(DomainError):
        services.application_refer_to_commission(application=application, actor=caseworker)
    assert services.application_grant(application=application, actor=caseworker, today=D(2024, 3, 6))


@pytest.mark.django_db
def test_the_migration_portal_accepts_applications_only_under_the_rules_that_open_it(caseworker):
    person = PersonFactory()
    with pytest.raises(DomainError) as exc:
        services.application_create(
            applicant=person, region=person.region, actor=caseworker, channel=Channel.MIGRATION_PORTAL,
            today=D(2025, 9, 1),
        )  # fmt: skip
    assert exc.value.field == "channel"
    application = services.application_create(
        applicant=person, region=person.region, actor=caseworker, channel=Channel.MIGRATION_PORTAL
    )
    assert application.channel == Channel.MIGRATION_PORTAL
