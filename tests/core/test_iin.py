import datetime

import pytest
from django.core.exceptions import ValidationError

from core.iin import check_digit, iin_warnings, make_iin, parse_iin


def test_it_accepts_a_valid_iin_and_decodes_birth_date_and_sex():
    info = parse_iin("900101300007")  # 1990-01-01, male (3 = 1900s), serial 0000, check digit 7
    assert info.birth_date == datetime.date(1990, 1, 1)
    assert info.sex == "M"


def test_it_rejects_a_wrong_check_digit():
    with pytest.raises(ValidationError) as exc:
        parse_iin("900101300005")
    assert exc.value.code == "iin_check"


def test_it_uses_the_second_pass_when_the_first_gives_ten():
    # Find an 11-digit body whose first-pass sum mod 11 is 10; the second pass must decide.
    body = next(
        f"850315{c}{s:04d}"
        for c in "34"
        for s in range(10000)
        if sum(int(d) * w for d, w in zip(f"850315{c}{s:04d}", range(1, 12), strict=True)) % 11 == 10
        and check_digit(f"850315{c}{s:04d}") is not None
    )
    second = sum(int(d) * w for d, w in zip(body, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)) % 11
    assert parse_iin(body + str(second)).birth_date == datetime.date(1985, 3, 15)
    with pytest.raises(ValidationError):
        parse_iin(body + str((second + 1) % 10))


def test_it_rejects_numbers_that_can_never_be_issued():
    body = next(f"850315{c}{s:04d}" for c in "34" for s in range(10000) if check_digit(f"850315{c}{s:04d}") is None)
    for last in "0123456789":
        with pytest.raises(ValidationError) as exc:
            parse_iin(body + last)
        assert exc.value.code == "iin_never"


@pytest.mark.parametrize("value", ["900230300005", "901301300005", "900100300005"])
def test_it_rejects_impossible_dates(value):
    with pytest.raises(ValidationError) as exc:
        parse_iin(value)
    assert exc.value.code in {"iin_date"}


@pytest.mark.parametrize("value", ["12345", "9001013000051", "90010130000A", "", "900101700005"])
def test_it_rejects_malformed_numbers(value):
    with pytest.raises(ValidationError):
        parse_iin(value)


def test_a_mismatching_birth_date_or_sex_is_only_a_warning():
    iin = make_iin(datetime.date(1990, 1, 1), "M", 42)
    assert iin_warnings(iin, birth_date=datetime.date(1990, 1, 1), sex="M") == []
    warnings = iin_warnings(iin, birth_date=datetime.date(1991, 1, 1), sex="F")
    assert len(warnings) == 2
