"""Validators shared by the apps: uploads, Cyrillic/Latin name fields, plausible dates, codes."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

cyrillic_name = RegexValidator(
    r"^[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі\s\-']+$",
    _("Use Cyrillic letters (Kazakh letters included), spaces, hyphens or apostrophes."),
    code="cyrillic",
)
latin_name = RegexValidator(r"^[A-Za-z\s\-']+$", _("Use Latin letters, spaces, hyphens or apostrophes."), code="latin")

# Content types are recognised by the file's first bytes, not by its name.
UPLOAD_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
ALLOWED_UPLOAD_EXTENSIONS = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


def validate_document_upload(upload) -> None:
    """A case document must be a PDF, PNG or JPEG within the size limit, its name and content agreeing."""
    limit = settings.DOCUMENT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in ALLOWED_UPLOAD_EXTENSIONS:
        raise ValidationError(_("Only PDF, PNG and JPEG files are accepted."), code="file_type")
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    detected = next((ctype for sig, ctype in UPLOAD_SIGNATURES.items() if head.startswith(sig)), None)
    if detected != ALLOWED_UPLOAD_EXTENSIONS[extension]:
        raise ValidationError(
            _("The file's content is not a valid %(ext)s file."), code="file_content", params={"ext": extension.upper()}
        )


PHONE_RE = re.compile(r"^\+?[0-9]{10,15}$")
phone_validator = RegexValidator(PHONE_RE, _("Enter a phone number of 10 to 15 digits, optionally with +."))


# --- Plausible dates and codes (the same bounds are CHECK constraints in the database) ----------

#: No case date (birth, document, decision) lies outside these years (the range an IIN can encode:
#: a parent of a 1992 repatriate may be born in the 1880s); 0001-01-01 and 9999-12-31 are typing
#: mistakes or probes, and arithmetic on them (a validity period) overflows.
EARLIEST_DATE = datetime.date(1800, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def validate_plausible_date(value: datetime.date | None) -> None:
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Enter a date from %(first)s to %(last)s."),
            code="date_out_of_range",
            params={"first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()},
        )


def validate_not_in_future(value: datetime.date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("The date is in the future."), code="future")


def validate_birth_date(value: datetime.date | None) -> None:
    """A date of birth: from 1800 and not after today (the same rule on create and on update)."""
    validate_plausible_date(value)
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("The date of birth is in the future."), code="future")


#: A spoken language: its ISO 639-1 or 639-2 code, lower-case ASCII letters only.
language_code = RegexValidator(
    r"^[a-z]{2,3}\Z",
    _("A language is written as its ISO 639 code of 2 or 3 Latin letters, e.g. kk."),
    code="language",
    flags=re.ASCII,
)
