"""The quota rules of DOMAIN.md "The quota" (issue 12): the housing certificate by the year's mode
(2026: a fixed 1,625 MCI or the price when lower; 2023-2025: 50 % up to 1,160 MCI), the employers'
400 MCI relocation subsidy, and the 2016 quota in the reference data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core.errors import DomainError
from core.models import Region
from quotas import services
from quotas.models import BenefitRates, HousingCertificateMode, QuotaRequest, QuotaYear, RegionalQuota
from tests.factories import PersonFactory
from tests.quotas.factories import file_request

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 5, 1)


def _included(year: int, size: int = 2) -> QuotaRequest:
    quota_year = QuotaYear.objects.get(year=year)
    if not quota_year.is_open:
        QuotaYear.objects.filter(pk=quota_year.pk).update(is_open=True)
        RegionalQuota.objects.get_or_create(
            quota_year=quota_year, region=Region.objects.get(code="pavlodar"), defaults={"places": 50}
        )
    request = file_request(quota_year, size=size)
    QuotaRequest.objects.filter(pk=request.pk).update(state="allocated")
    request.refresh_from_db()
    return request


def _certificate(request, price: str, actor) -> Decimal:
    return services.housing_certificate_issue(
        request=request, home_price_tenge=Decimal(price), actor=actor, due_on=DUE
    ).amount_tenge


def test_the_2026_certificate_is_a_fixed_1625_mci_whatever_the_price(administrator):
    assert _certificate(_included(2026), "10000000", administrator) == Decimal("7028125.00")  # not 50 %


def test_the_2026_certificate_is_the_price_when_the_home_costs_less(administrator):
    assert _certificate(_included(2026), "5000000", administrator) == Decimal("5000000.00")  # not 2,500,000


def test_the_2025_certificate_keeps_50_percent_up_to_1160_mci(administrator):
    assert _certificate(_included(2025), "6000000", administrator) == Decimal("3000000.00")
    assert _certificate(_included(2025), "10000000", administrator) == Decimal("4561120.00")  # 1,160 x 3,932


def test_the_housing_rule_is_a_per_year_setting():
    assert BenefitRates.objects.get(year=2026).housing_certificate_mode == HousingCertificateMode.FIXED_UP_TO_PRICE
    assert {r.housing_certificate_mode for r in BenefitRates.objects.filter(year__lt=2026)} == {
        HousingCertificateMode.PERCENT_WITH_CAP
    }


def test_the_employers_subsidy_is_400_mci_per_employed_member_in_2026(administrator):
    request = _included(2026, size=2)
    member = request.family.members.exclude(person=request.family.head).get().person
    subsidy = services.employer_subsidy_grant(
        request=request, employee=member, employer="ТОО «Павлодарэнерго»", actor=administrator, due_on=DUE
    )
    assert (subsidy.kind, subsidy.amount_mci, subsidy.amount_tenge) == (
        "employer",
        Decimal("400"),
        Decimal("1730000.00"),
    )
    assert subsidy.payee == "ТОО «Павлодарэнерго»"
    with pytest.raises(DomainError):
        services.employer_subsidy_grant(
            request=request, employee=member, employer="Другой", actor=administrator, due_on=DUE
        )


def test_the_employers_subsidy_is_refused_in_a_year_without_it_and_for_a_stranger(administrator):
    earlier = _included(2025)
    with pytest.raises(DomainError) as exc:
        services.employer_subsidy_grant(
            request=earlier, employee=earlier.family.head, employer="ТОО", actor=administrator, due_on=DUE
        )
    assert exc.value.code == "no_employer_subsidy"
    with pytest.raises(DomainError) as exc:
        services.employer_subsidy_grant(
            request=_included(2026), employee=PersonFactory(), employer="ТОО", actor=administrator, due_on=DUE
        )
    assert exc.value.field == "employee"


def test_the_2016_quota_is_in_the_reference_data():
    year = QuotaYear.objects.get(year=2016)
    assert (year.unit, year.national_total, year.is_open) == ("families", 1259 + 463, False)
    assert "1 259 + 463" in year.note


def test_the_admin_issues_the_2026_certificate_and_the_employers_subsidy(client, administrator):
    request = _included(2026, size=2)
    member = request.family.members.exclude(person=request.family.head).get().person
    client.force_login(administrator)
    base = f"/admin/quotas/quotarequest/{request.pk}/transition/"
    response = client.post(base + "housing/", {"home_price_tenge": "5000000", "due_on": "01.05.2026"})
    assert response.status_code == 302
    response = client.post(
        base + "employer-subsidy/", {"employee": member.pk, "employer": "ТОО «Ертіс»", "due_on": "01.05.2026"}
    )
    assert response.status_code == 302
    amounts = dict(request.instalments.values_list("kind", "amount_tenge"))
    assert amounts == {"housing": Decimal("5000000.00"), "employer": Decimal("1730000.00")}
