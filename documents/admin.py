"""Downloads of the printable documents from the admin, and the list of issued printouts."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from citizenship.selectors import application_list
from core import authz
from core.admin_base import ScopedAdmin
from core.audit import log_read
from core.errors import DomainError
from documents import selectors, services
from documents.models import IssuedDocument
from oralman.selectors import family_list, status_list

LANGUAGES = (("kk", "ҚАЗ"), ("ru", "РУС"))


def _issued_languages(**lookup) -> set[str]:
    return set(IssuedDocument.objects.filter(cancelled_at__isnull=True, **lookup).values_list("language", flat=True))


def _links(url_name: str, pk: int, label, issued: set[str]) -> str:
    """A download link for each language already issued, and a button that issues the others.

    The button sits inside the admin's change form (forms do not nest), so it submits that form's
    CSRF token to its own address with POST; GET never creates a printout."""
    parts = []
    for lang, short in LANGUAGES:
        url = reverse(url_name, args=[pk, lang])
        if lang in issued:
            parts.append(format_html('<a class="button" href="{}">PDF {}</a>', url, short))
        else:
            parts.append(
                format_html(
                    '<button type="submit" class="button" formaction="{}" formmethod="post" formnovalidate '
                    'title="{}">{} {}</button>',
                    url,
                    _("Creates the printout with its verification code, then downloads it."),
                    _("Issue PDF"),
                    short,
                )
            )
    return format_html("{}: {}", label, format_html_join(" ", "{}", ((p,) for p in parts)))


def certificate_links(status) -> str:
    """Buttons to download (or first issue) a kandas certificate in Kazakh and Russian."""
    label = format_html("{} {}", _("Kandas certificate"), status.certificate_number)
    issued = _issued_languages(kandas_status=status)
    return _links("admin:documents_issueddocument_certificate", status.pk, label, issued)


def decision_links(application) -> str:
    issued = _issued_languages(citizenship_application=application)
    return _links("admin:documents_issueddocument_decision", application.pk, _("Decision letter"), issued)


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ScopedAdmin):
    selector = staticmethod(selectors.issued_document_list)
    list_display = ["code", "kind", "language", "holder", "issued_at", "issued_by", "cancelled_at", "verify_link"]
    list_filter = ["kind", "language", ("cancelled_at", admin.EmptyFieldListFilter)]
    search_fields = ["=code", "kandas_status__certificate_number", "kandas_status__person__surname",
                     "citizenship_application__person__surname"]  # fmt: skip
    readonly_fields = ["code", "kind", "language", "kandas_status", "citizenship_application", "issued_at", "issued_by"]
    fields = [*readonly_fields, "cancelled_at"]
    ordering = ["-issued_at", "-id"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("holder"))
    def holder(self, obj):
        return obj.subject.person.full_name

    @admin.display(description=_("verification page"))
    def verify_link(self, obj):
        return format_html('<a href="{}" target="_blank">{}</a>', services.verification_url(obj), _("open"))

    def get_urls(self):
        return [
            path("certificate/<int:pk>/<str:language>/", self.admin_site.admin_view(self.certificate_pdf),
                 name="documents_issueddocument_certificate"),
            path("decision/<int:pk>/<str:language>/", self.admin_site.admin_view(self.decision_pdf),
                 name="documents_issueddocument_decision"),
            path("certificates/family/<int:pk>/<str:language>/", self.admin_site.admin_view(self.family_certificates_pdf),
                 name="documents_issueddocument_family_certificates"),
            *super().get_urls(),
        ]  # fmt: skip

    def _pdf(self, request, kind, subject, language):
        """GET downloads a printout issued before (and logs the read); POST issues it first
        (creates the record and its verification code) and then sends the browser to the GET."""
        authz.authorize(request.user, authz.VIEW, subject)
        lookup = {
            "kandas_status" if kind == IssuedDocument.Kind.KANDAS_CERTIFICATE else "citizenship_application": subject
        }
        if request.method == "POST":
            if not authz.can(request.user, authz.ADD, IssuedDocument):
                raise PermissionDenied  # analysts read printouts; they do not issue new ones
            try:
                services.document_issue(kind=kind, subject=subject, language=language, actor=request.user)
            except DomainError as exc:
                raise Http404(str(exc.message)) from exc
            return HttpResponseRedirect(request.path, status=303)
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET", "POST"])
        if not authz.can(request.user, authz.VIEW, IssuedDocument):
            raise PermissionDenied
        issued = IssuedDocument.objects.filter(
            kind=kind, language=language, cancelled_at__isnull=True, **lookup
        ).first()
        if issued is None:
            raise Http404(_("This document has not been issued yet."))
        log_read(request.user, issued, kind="printout", request=request, person_id=subject.person_id)
        response = HttpResponse(services.render_pdf(issued), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{services.pdf_filename(issued)}"'
        return response

    def certificate_pdf(self, request, pk, language):
        status = get_object_or_404(
            status_list(user=request.user).select_related("person", "application__region"), pk=pk
        )
        return self._pdf(request, IssuedDocument.Kind.KANDAS_CERTIFICATE, status, language)

    def family_certificates_pdf(self, request, pk, language):
        """Every valid certificate of a family's current members in one PDF (issued first where not
        yet printed in this language): the case file's "print every certificate"."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        family = get_object_or_404(family_list(user=request.user), pk=pk)
        if not authz.can(request.user, authz.ADD, IssuedDocument):
            raise PermissionDenied
        today = timezone.localdate()
        statuses = [
            s
            for s in status_list(user=request.user)
            .filter(person__memberships__family=family, person__memberships__left_on__isnull=True)
            .order_by("person__birth_date", "pk")
            if s.is_valid_on(today)
        ]
        if not statuses:
            raise Http404(_("The family holds no valid certificate."))
        rendered = []
        for status in statuses:
            try:
                issued = services.document_issue(
                    kind=IssuedDocument.Kind.KANDAS_CERTIFICATE, subject=status, language=language, actor=request.user
                )
            except DomainError as exc:
                raise Http404(str(exc.message)) from exc
            log_read(request.user, issued, kind="printout", request=request, person_id=status.person_id)
            rendered.append(services.render_document(issued))
        pages = [page for document in rendered for page in document.pages]
        response = HttpResponse(rendered[0].copy(pages).write_pdf(), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="certificates-family-{family.pk}-{language}.pdf"'
        return response

    def decision_pdf(self, request, pk, language):
        application = get_object_or_404(application_list(user=request.user), pk=pk)
        return self._pdf(request, IssuedDocument.Kind.CITIZENSHIP_DECISION, application, language)
