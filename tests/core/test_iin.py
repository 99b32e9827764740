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


@pytest.mark.parametrize(
    ("digit", "year", "sex"),
    [("1", 1815, "M"), ("2", 1815, "F"), ("3", 1915, "M"), ("4", 1915, "F"), ("5", 2015, "M"), ("6", 2015, "F")],
)
def test_the_seventh_digit_encodes_century_and_sex(digit, year, sex):
    body = next(f"150315{digit}{s:04d}" for s in range(10000) if check_digit(f"150315{digit}{s:04d}") is not None)
    info = parse_iin(body + str(check_digit(body)))
    assert info.birth_date == datetime.date(year, 3, 15)
    assert info.sex == sex


@pytest.mark.parametrize("digit", "0789")
def test_a_seventh_digit_outside_one_to_six_is_rejected(digit):
    with pytest.raises(ValidationError) as exc:
        parse_iin(f"850315{digit}00001")
    assert exc.value.code == "iin_century"


def test_a_leap_day_is_a_real_date_only_in_a_leap_year():
    leap = make_iin(datetime.date(2000, 2, 29), "F", 7)
    assert parse_iin(leap).birth_date == datetime.date(2000, 2, 29)
    with pytest.raises(ValidationError) as exc:
        parse_iin("010229" + leap[6:])
    assert exc.value.code in {"iin_date", "iin_check"}


@pytest.mark.parametrize(("birth_date", "sex"), [(datetime.date(1958, 12, 31), "M"), (datetime.date(2004, 6, 1), "F")])
def test_make_iin_builds_numbers_that_parse_back(birth_date, sex):
    for serial in range(40):
        iin = make_iin(birth_date, sex, serial)
        if iin is None:
            continue
        info = parse_iin(iin)
        assert (info.birth_date, info.sex) == (birth_date, sex)


@pytest.mark.parametrize(
    "value", [None, 900101300007, " 900101300007", "９００１０１３０００７", "90010130000７", "90010130000٧"]
)
def test_it_rejects_values_that_are_not_twelve_ascii_digits(value):
    with pytest.raises(ValidationError):
        parse_iin(value)


def test_an_invalid_iin_gives_no_warnings_only_the_rejection():
    assert iin_warnings("900101300005", birth_date=datetime.date(1990, 1, 1), sex="M") == []


def test_a_mismatch_warning_names_both_dates():
    iin = make_iin(datetime.date(1990, 1, 1), "M", 42)
    [warning] = iin_warnings(iin, birth_date=datetime.date(1990, 1, 2), sex="M")
    assert "01.01.1990" in warning and "02.01.1990" in warning  # as dates are shown in Russian


@pytest.mark.parametrize("birth_date", [datetime.date(2085, 3, 15), datetime.date.today() + datetime.timedelta(days=1)])
def test_an_iin_encoding_a_future_birth_date_is_rejected(birth_date):
    iin = next(i for s in range(1, 100) if (i := make_iin(birth_date, "M", s)))
    with pytest.raises(ValidationError) as exc:
        parse_iin(iin)
    assert exc.value.code == "iin_future"


def test_an_iin_of_someone_born_today_is_accepted():
    today = datetime.date.today()
    iin = next(i for s in range(1, 100) if (i := make_iin(today, "F", s)))
    assert parse_iin(iin).birth_date == today
