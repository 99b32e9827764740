"""Validators shared by the apps: uploads, Cyrillic/Latin name fields, plausible dates, codes."""

from __future__ import annotations

import datetime
import io
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
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
}
ALLOWED_UPLOAD_EXTENSIONS = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "tif": "image/tiff",
    "tiff": "image/tiff",
}
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/tiff": "TIFF"}
# A scan of an A4 page at 600 dpi is about 35 megapixels.
MAX_IMAGE_PIXELS = 60_000_000

# Markup a browser or a PDF reader would run, hidden in an otherwise valid file (a polyglot).
ACTIVE_MARKUP = re.compile(rb"<(script|html|body|svg|iframe|object|embed)[\s>/]|<\?php|javascript:|vbscript:", re.I)
# PDF features that run code or carry other files. Looked for in the PDF's own syntax (outside
# stream data, where compressed bytes may match by chance) and in every object pypdf parses, which
# covers compressed object streams and names spelled with #xx escapes.
PDF_ACTIVE_KEYS = ("/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA")
PDF_ACTIVE_RAW = re.compile(rb"/(JS|JavaScript|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z0-9])")
PDF_STREAM_DATA = re.compile(rb"stream\r?\n.*?endstream", re.S)


def _refuse_active_content(content: bytes) -> None:
    found = ACTIVE_MARKUP.search(content)
    if found:
        raise ValidationError(
            _("The file contains web page or script code (%(marker)s) and is refused; upload a plain scan."),
            code="file_active_content",
            params={"marker": found.group(0).decode("latin-1").strip()},
        )


def _pdf_active_key(content: bytes) -> str | None:
    """The first code-running feature of a PDF, or None; raises if pypdf cannot read the file."""
    raw = PDF_ACTIVE_RAW.search(PDF_STREAM_DATA.sub(b"", content))
    if raw:
        return raw.group(0).decode("latin-1")
    import pypdf
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reader = pypdf.PdfReader(io.BytesIO(content), strict=False)
    if len(reader.pages) < 1:
        raise ValueError("no pages")
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for name in obj:
                if name in PDF_ACTIVE_KEYS:
                    return str(name)
            if obj.get("/S") in ("/JavaScript", "/Launch"):
                return str(obj["/S"])
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return None


def _check_pdf(content: bytes) -> None:
    if b"%%EOF" not in content[-1024:]:
        raise ValidationError(
            _("The %(ext)s file is damaged or incomplete and cannot be read."),
            code="file_damaged",
            params={"ext": "PDF"},
        )
    try:
        key = _pdf_active_key(content)
    except Exception:
        raise ValidationError(
            _("The %(ext)s file is damaged or incomplete and cannot be read."),
            code="file_damaged",
            params={"ext": "PDF"},
        )
    if key:
        raise ValidationError(
            _("The PDF contains active content (%(marker)s: scripts, actions or attached files) and is refused."),
            code="file_active_content",
            params={"marker": key},
        )


def _check_image(content: bytes, content_type: str) -> None:
    from PIL import Image

    label = PILLOW_FORMATS[content_type]
    damaged = ValidationError(
        _("The %(ext)s file is damaged or incomplete and cannot be read."), code="file_damaged", params={"ext": label}
    )
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != label:
                raise damaged
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    _("The image is %(w)s×%(h)s pixels; the largest allowed is %(limit)s megapixels."),
                    code="file_too_large",
                    params={"w": width, "h": height, "limit": MAX_IMAGE_PIXELS // 1_000_000},
                )
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()  # decodes every pixel: a truncated or corrupt image fails here
    except ValidationError:
        raise
    except Exception:
        raise damaged


def validate_document_upload(upload) -> None:
    """A case document must be a PDF, PNG, JPEG or TIFF within the size limit, its name and its first
    bytes agreeing, the file readable to the end (Pillow, pypdf), and nothing active hidden in it:
    no HTML or script (a polyglot a browser would run) and no JavaScript, launch actions or
    attachments in a PDF. A file already stored was checked when it was uploaded."""
    if getattr(upload, "_committed", False):
        return
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
        raise ValidationError(_("Only PDF, PNG, JPEG and TIFF files are accepted."), code="file_type")
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    content = upload.read()
    upload.seek(position)
    detected = next((ctype for sig, ctype in UPLOAD_SIGNATURES.items() if content.startswith(sig)), None)
    expected = ALLOWED_UPLOAD_EXTENSIONS[extension]
    if detected != expected:
        raise ValidationError(
            _("The file's content is not a valid %(ext)s file."), code="file_content", params={"ext": extension.upper()}
        )
    _refuse_active_content(content)
    if expected == "application/pdf":
        _check_pdf(content)
    else:
        _check_image(content, expected)


PHONE_RE = re.compile(r"^\+?[0-9]{10,15}$")
phone_validator = RegexValidator(PHONE_RE, _("Enter a phone number of 10 to 15 digits, optionally with +."))
_PHONE_PUNCTUATION = re.compile(r"[\s\-().\u00a0\u2010-\u2015]")


def normalize_phone(value: str | None) -> str:
    """A phone number as typed ("8 (701) 123-45-67", "+7 701 123 4567", "00 86 138 0013 8000") in
    E.164: "+77011234567". A Kazakhstan number without its country code (8 or 7 and ten digits, or
    ten digits) gets +7; a foreign one keeps the code it was typed with. Anything else is returned
    with only the spacing removed, for phone_validator to refuse."""
    if not value:
        return ""
    compact = _PHONE_PUNCTUATION.sub("", str(value).strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+"):
        return compact
    if not compact.isdigit():
        return compact
    if len(compact) == 11 and compact[0] in "78":
        return "+7" + compact[1:]
    if len(compact) == 10:
        return "+7" + compact
    return compact


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
