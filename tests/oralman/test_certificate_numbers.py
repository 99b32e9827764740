"""Certificate numbers come from a per-series sequence row; a paper-era number is recorded by an
administrator only, in the series of the application's region, and the sequence moves past it."""

from __future__ import annotations

import datetime

import pytest

from core.errors import DomainError
from oralman import services
from oralman.forms import GrantForm
from oralman.models import ApplicationState, CertificateSeries, KandasStatus, StatusApplication
from tests.factories import KandasStatusFactory
from tests.oralman.conftest import through_commission

S = ApplicationState
D = datetime.date
ON = D(2026, 3, 20)


def _grant(application, actor, number=None) -> KandasStatus:
    through_commission(application, actor=actor, today=ON)  # the rules in force on ON (2025-10) need it
    return services.application_grant(application=application, actor=actor, today=ON, certificate_number=number)


@pytest.mark.django_db
def test_numbers_come_from_the_series_row_not_from_the_text_of_existing_numbers(make_application, caseworker):
    # A legacy number that sorts last as text ("...-1000000" < "...-999999") no longer steers numbering.
    KandasStatusFactory(certificate_number="KND-PAVLOD-2026-ZZZ")
    first = _grant(make_application(S.UNDER_REVIEW), caseworker)
    second = _grant(make_application(S.UNDER_REVIEW), caseworker)
    assert [first.certificate_number, second.certificate_number] == ["KND-PAVLOD-2026-000001", "KND-PAVLOD-2026-000002"]
    assert CertificateSeries.objects.get(prefix="KND-PAVLOD-2026").last_number == 2


@pytest.mark.django_db
def test_a_number_already_held_is_skipped_by_the_sequence(make_application, caseworker):
    KandasStatusFactory(certificate_number="KND-PAVLOD-2026-000001")
    status = _grant(make_application(S.UNDER_REVIEW), caseworker)
    assert status.certificate_number == "KND-PAVLOD-2026-000002"


@pytest.mark.django_db
def test_an_administrator_records_a_paper_number_and_the_sequence_moves_past_it(
    make_application, caseworker, administrator
):
    paper = _grant(make_application(S.UNDER_REVIEW), administrator, " knd-pavlod-2026-000350 ")
    assert paper.certificate_number == "KND-PAVLOD-2026-000350"
    following = _grant(make_application(S.UNDER_REVIEW), caseworker)
    assert following.certificate_number == "KND-PAVLOD-2026-000351"


@pytest.mark.django_db
def test_a_lower_paper_number_does_not_move_the_sequence_back(make_application, caseworker, administrator):
    _grant(make_application(S.UNDER_REVIEW), administrator, "KND-PAVLOD-2026-000350")
    _grant(make_application(S.UNDER_REVIEW), administrator, "KND-PAVLOD-2026-000007")
    assert _grant(make_application(S.UNDER_REVIEW), caseworker).certificate_number == "KND-PAVLOD-2026-000351"


@pytest.mark.django_db
def test_a_paper_number_of_an_earlier_year_moves_that_years_series(make_application, caseworker, administrator):
    status = _grant(make_application(S.UNDER_REVIEW), administrator, "KND-PAVLOD-2019-000120")
    assert status.certificate_number == "KND-PAVLOD-2019-000120"
    assert CertificateSeries.objects.get(prefix="KND-PAVLOD-2019").last_number == 120
    assert _grant(make_application(S.UNDER_REVIEW), caseworker).certificate_number == "KND-PAVLOD-2026-000001"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "number",
    [
        "KND-AKMOLA-2026-X",
        "KND-PAVLOD-2026-12345",
        "KND-PAVLOD-2026-1234567",
        "KND-PAVLOD-2026-00012٣",  # an Arabic-Indic digit
        "KND-PAVLOD-26-000123",
        "PAVLOD-2026-000123",
        "KND-PAVLOD-2026-000123; DROP",
    ],
)
def test_a_malformed_number_is_refused_and_nothing_changes(make_application, administrator, caseworker, number):
    application = make_application(S.UNDER_REVIEW)
    with pytest.raises(DomainError) as exc:
        _grant(application, administrator, number)
    assert exc.value.field == "certificate_number"
    assert "KND-" in str(exc.value.message)
    application.refresh_from_db()
    assert application.state == S.COMMISSION  # passed the commission, not granted
    assert not CertificateSeries.objects.exists()
    # The fault it survives: every later automatic grant of the series still gets its number.
    assert _grant(make_application(S.UNDER_REVIEW), caseworker).certificate_number == "KND-PAVLOD-2026-000001"
    assert _grant(make_application(S.UNDER_REVIEW), caseworker).certificate_number == "KND-PAVLOD-2026-000002"


@pytest.mark.django_db
def test_an_administrator_cannot_give_a_pavlodar_application_an_akmola_series_number(make_application, administrator):
    application = make_application(S.UNDER_REVIEW)
    with pytest.raises(DomainError) as exc:
        _grant(application, administrator, "KND-AKMOLA-2026-000010")
    assert "KND-PAVLOD-2026" in str(exc.value.message)
    assert not CertificateSeries.objects.filter(prefix="KND-AKMOLA-2026").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["KND-AKMOLA-2026-000010", "KND-PAVLOD-2026-000010"])
def test_a_caseworker_cannot_record_a_number_by_hand(make_application, caseworker, number):
    application = make_application(S.UNDER_REVIEW)
    with pytest.raises(DomainError) as exc:
        _grant(application, caseworker, number)
    assert exc.value.field == "certificate_number"
    assert not CertificateSeries.objects.exists()
    assert StatusApplication.objects.get(pk=application.pk).state == S.COMMISSION  # passed the commission, not granted


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["KND-PAVLOD-2026-999999", "KND-PAVLOD-2026-000000", "KND-PAVLOD-2031-000001"])
def test_a_number_the_series_cannot_continue_after_is_refused(make_application, caseworker, administrator, number):
    with pytest.raises(DomainError):
        _grant(make_application(S.UNDER_REVIEW), administrator, number)
    # Automatic numbering is unaffected.
    assert _grant(make_application(S.UNDER_REVIEW), caseworker).certificate_number == "KND-PAVLOD-2026-000001"


@pytest.mark.django_db
def test_the_highest_number_is_given_once_then_the_series_answers_a_clear_error(make_application, caseworker):
    CertificateSeries.objects.create(prefix="KND-PAVLOD-2026", last_number=999_998)
    assert _grant(make_application(S.UNDER_REVIEW), caseworker).certificate_number == "KND-PAVLOD-2026-999999"
    application = make_application(S.UNDER_REVIEW)
    with pytest.raises(DomainError) as exc:
        _grant(application, caseworker)
    assert "KND-PAVLOD-2026" in str(exc.value.message)
    assert StatusApplication.objects.get(pk=application.pk).state == S.COMMISSION  # passed the commission, not granted


@pytest.mark.django_db
def test_the_api_answers_400_for_a_malformed_number(api, make_application, administrator):
    application = make_application(S.UNDER_REVIEW)
    through_commission(application, actor=administrator)
    response = api(administrator).post(
        f"/api/v1/status-applications/{application.pk}/grant/",
        {"certificate_number": "KND-AKMOLA-2026-X"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "certificate_number" in response.json()


@pytest.mark.django_db
def test_the_api_refuses_a_caseworker_recording_another_regions_number(api, make_application, caseworker):
    application = make_application(S.UNDER_REVIEW)
    through_commission(application, actor=caseworker)
    response = api(caseworker).post(
        f"/api/v1/status-applications/{application.pk}/grant/",
        {"certificate_number": "KND-AKMOLA-2026-000001"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "certificate_number" in response.json()
    assert not KandasStatus.objects.filter(certificate_number="KND-AKMOLA-2026-000001").exists()


def test_the_admin_grant_form_shows_a_malformed_number_as_a_field_error():
    form = GrantForm(data={"certificate_number": "KND-AKMOLA-2026-X"})
    assert not form.is_valid()
    assert "certificate_number" in form.errors
    assert GrantForm(data={"certificate_number": "knd-akmola-2026-000001"}).is_valid()
