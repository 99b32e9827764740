"""The Kazakh IIN (ИИН / ЖСН): 12 digits, YYMMDD, a century/sex digit, a serial, a check digit.

A wrong check digit, an impossible date or a birth date in the future rejects the number; a birth
date or sex that differs from the person's is only a warning (re-issued numbers since 2013 may
legitimately differ).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURY_BY_DIGIT = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


@dataclass(frozen=True)
class IinInfo:
    birth_date: datetime.date
    sex: str  # "M" or "F"


def check_digit(first_eleven: str) -> int | None:
    """The control digit for 11 digits, or None when the number can never be issued."""
    digits = [int(c) for c in first_eleven]
    for weights in (WEIGHTS_FIRST, WEIGHTS_SECOND):
        value = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if value != 10:
            return value
    return None


def parse_iin(value: str) -> IinInfo:
    """Validate an IIN and return what it encodes; raise ValidationError with a precise reason."""
    if not isinstance(value, str) or len(value) != 12 or not (value.isascii() and value.isdigit()):
        raise ValidationError(_("An IIN has exactly 12 digits."), code="iin_format")
    century_digit = value[6]
    if century_digit not in CENTURY_BY_DIGIT:
        raise ValidationError(
            _("The 7th digit of an IIN encodes century and sex and must be 1 to 6."), code="iin_century"
        )
    year = CENTURY_BY_DIGIT[century_digit] + int(value[0:2])
    try:
        birth_date = datetime.date(year, int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise ValidationError(
            _("The first six digits of an IIN must be a real date of birth (YYMMDD)."), code="iin_date"
        ) from None
    if birth_date > timezone.localdate():
        raise ValidationError(_("This IIN encodes a date of birth in the future."), code="iin_future")
    expected = check_digit(value[:11])
    if expected is None:
        raise ValidationError(_("This IIN can never be issued: its check digit cannot be computed."), code="iin_never")
    if expected != int(value[11]):
        raise ValidationError(_("The check digit of this IIN is wrong."), code="iin_check")
    return IinInfo(birth_date=birth_date, sex="M" if int(century_digit) % 2 else "F")


def validate_iin(value: str) -> None:
    parse_iin(value)


def iin_warnings(iin: str, *, birth_date: datetime.date | None, sex: str | None) -> list[str]:
    """Mismatches between a valid IIN and the person's data: shown to the caseworker, not fatal."""
    try:
        info = parse_iin(iin)
    except ValidationError:
        return []
    warnings = []
    if birth_date and info.birth_date != birth_date:
        warnings.append(
            str(_("The IIN encodes the birth date %(iin_date)s, the person's is %(date)s."))
            % {
                "iin_date": date_format(info.birth_date, "SHORT_DATE_FORMAT"),
                "date": date_format(birth_date, "SHORT_DATE_FORMAT"),
            }  # fmt: skip
        )
    if sex and info.sex != sex:
        warnings.append(str(_("The IIN encodes a different sex than the person's.")))
    return warnings


def make_iin(birth_date: datetime.date, sex: str, serial: int) -> str | None:
    """Build a valid IIN (for demo data and tests); None when this serial can never be issued."""
    century = {1800: 1, 1900: 3, 2000: 5}[birth_date.year // 100 * 100] + (0 if sex == "M" else 1)
    first = f"{birth_date:%y%m%d}{century}{serial % 10000:04d}"
    digit = check_digit(first)
    return None if digit is None else first + str(digit)
