"""Issuing printable documents, rendering them to PDF, and answering the verification page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import acting
from core.errors import DomainError
from documents.models import IssuedDocument, normalise_code
from oralman.models import TerminationReason

Kind = IssuedDocument.Kind

# DejaVu covers every Kazakh Cyrillic letter (Ә Ғ Қ Ң Ө Ұ Ү Һ І); the files are embedded in the PDF.
FONT_DIR = Path(getattr(settings, "DOCUMENTS_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))


def font_faces() -> list[dict]:
    faces = []
    for weight, style, filename in (
        ("normal", "normal", "DejaVuSerif.ttf"),
        ("bold", "normal", "DejaVuSerif-Bold.ttf"),
        ("normal", "italic", "DejaVuSerif-Italic.ttf"),
    ):
        path = FONT_DIR / filename
        if path.exists():
            faces.append({"weight": weight, "style": style, "url": path.as_uri()})
    return faces


@transaction.atomic
def document_issue(*, kind: str, subject, language: str, actor) -> IssuedDocument:
    """The printout of `subject` in `language`: created on first print, the same code afterwards."""
    if language not in IssuedDocument.Language.values:
        raise DomainError(_("Documents are printed in Kazakh or Russian."), field="language")
    if kind == Kind.KANDAS_CERTIFICATE:
        lookup = {"kandas_status": subject}
    elif kind == Kind.CITIZENSHIP_DECISION:
        if subject.state not in ("granted", "refused"):
            raise DomainError(_("A decision letter exists only for a decided application."))
        lookup = {"citizenship_application": subject}
    else:
        raise DomainError(_("Unknown document kind."), field="kind")
    existing = IssuedDocument.objects.filter(kind=kind, language=language, cancelled_at__isnull=True, **lookup).first()
    if existing:
        return existing
    try:
        with transaction.atomic(), acting(actor):
            return IssuedDocument.objects.create(kind=kind, language=language, issued_by=actor, **lookup)
    except IntegrityError:
        return IssuedDocument.objects.get(kind=kind, language=language, **lookup)


def public_base_url() -> str:
    """Where the public reaches the verification page: KANDAS_PUBLIC_BASE_URL (required in
    production), else the first allowed host (https), else the demo's local address."""
    base = getattr(settings, "KANDAS_PUBLIC_BASE_URL", "")
    if base:
        return base.rstrip("/")
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "testserver")), "localhost")
    if host in ("localhost", "127.0.0.1"):
        return f"http://{host}:8000"
    return f"https://{host}"


def verification_url(issued: IssuedDocument) -> str:
    """The printed link (and QR code) opens the page in the document's language (``?lang=kk``,
    ``?lang=ru``, which the page keeps in its cookie): a reader who opened a Kazakh printout's link
    and then a Russian one reads the second in Russian."""
    url = f"{public_base_url()}{reverse('documents:verify', args=[issued.code])}"
    return f"{url}?lang={issued.language}"


def qr_data_uri(url: str) -> str:
    """The verification link as a QR code (SVG data URI), printed beside the link."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=3, border=1)


@dataclass(frozen=True)
class Ended:
    """Why and when a status stopped, for the banner on a certificate printed after its end."""

    on: datetime.date
    reason: str


def status_ended(status, *, today: datetime.date | None = None) -> Ended | None:
    today = today or timezone.localdate()
    if status.terminated_on is not None and status.terminated_on <= today:
        return Ended(on=status.terminated_on, reason=str(status.get_termination_reason_display()))
    if status.valid_until < today:
        return Ended(on=status.valid_until, reason=str(TerminationReason.EXPIRY.label))
    return None


def _context(issued: IssuedDocument) -> dict:
    url = verification_url(issued)
    context = {"doc": issued, "verify_url": url, "qr": qr_data_uri(url), "fonts": font_faces()}
    if issued.kind == Kind.KANDAS_CERTIFICATE:
        status = issued.kandas_status
        context |= {
            "status": status,
            "person": status.person,
            "region": status.application.region,
            "ended": status_ended(status),
        }
    else:
        application = issued.citizenship_application
        context |= {"application": application, "person": application.person, "region": application.region}
    return context


TEMPLATES = {
    Kind.KANDAS_CERTIFICATE: "documents/kandas_certificate.html",
    Kind.CITIZENSHIP_DECISION: "documents/citizenship_decision.html",
}


def render_html(issued: IssuedDocument) -> str:
    with translation.override(issued.language):
        return render_to_string(TEMPLATES[issued.kind], _context(issued))


def render_document(issued: IssuedDocument):
    """The laid-out WeasyPrint document (pages and boxes), for PDF output or inspection."""
    from weasyprint import HTML

    return HTML(string=render_html(issued), base_url=str(settings.BASE_DIR)).render()


def render_pdf(issued: IssuedDocument) -> bytes:
    return render_document(issued).write_pdf()


def page_text(document, page_number: int = 0) -> str:
    """The text laid out on one page of a rendered document, line by line (for tests and notes)."""
    lines: list[str] = []

    def walk(box, line):
        text = getattr(box, "text", None)
        if text:
            line.append(text)
        for child in getattr(box, "children", []) or []:
            if type(child).__name__ == "LineBox":
                inner: list[str] = []
                walk(child, inner)
                if inner:
                    lines.append("".join(inner).strip())
            else:
                walk(child, line)

    walk(document.pages[page_number]._page_box, [])
    return "\n".join(s for s in lines if s)


def pdf_filename(issued: IssuedDocument) -> str:
    return f"{issued.kind}-{issued.subject.pk}-{issued.language}.pdf"


# --- Verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """All the public page may say (minimal disclosure): the document is genuine, valid or not,
    its kind and number, and the holder's initials. Never why a status ended, never dates, never
    the full name: the page is public and anyone holding a code can open it."""

    kind_label: str
    number: str
    holder_initials: str
    code: str
    is_valid: bool
    not_yet_valid: bool = False  # genuine, in force later: its status starts after today


def initials(person) -> str:
    """``Жақсыбеков Нұрлан Әбілұлы`` -> ``Ж. Н. Ә.``"""
    parts = (person.surname, person.given_name, person.patronymic)
    return " ".join(f"{part.strip()[0].upper()}." for part in parts if part and part.strip())


def verification_for(code: str, *, today: datetime.date | None = None) -> Verification | None:
    """None when no issued document carries this code (forged or mistyped)."""
    normalised = normalise_code(code)
    if not normalised:
        return None
    issued = (
        IssuedDocument.objects.select_related("kandas_status__person", "citizenship_application__person")
        .filter(code=normalised)
        .first()
    )
    if issued is None:
        return None
    today = today or timezone.localdate()
    if issued.kind == Kind.KANDAS_CERTIFICATE:
        status = issued.kandas_status
        person, number = status.person, status.certificate_number
        is_valid = status.terminated_on is None and status.issued_on <= today <= status.valid_until
        not_yet_valid = status.terminated_on is None and today < status.issued_on
    else:
        application = issued.citizenship_application
        person, number = application.person, application.registration_number or str(application.pk)
        is_valid = True  # a decision letter stays in force unless its printout is cancelled
        not_yet_valid = False
    return Verification(
        kind_label=issued.get_kind_display(),
        number=number,
        holder_initials=initials(person),
        code=issued.code,
        is_valid=is_valid and issued.cancelled_at is None,
        not_yet_valid=not_yet_valid and issued.cancelled_at is None,
    )
