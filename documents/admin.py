"""Downloads of the printable documents from the admin, and the list of issued printouts."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from citizenship.selectors import application_list
from core import authz
from core.admin_base import ScopedAdmin
from core.errors import DomainError
from documents import selectors, services
from documents.models import IssuedDocument
from oralman.selectors import status_list

LANGUAGES = (("kk", "ҚАЗ"), ("ru", "РУС"))


def _links(url_name: str, pk: int, label) -> str:
    return format_html(
        "{}: {} {}",
        label,
        *[
            format_html('<a class="button" href="{}">PDF {}</a>', reverse(url_name, args=[pk, lang]), short)
            for lang, short in LANGUAGES
        ],
    )


def certificate_links(status) -> str:
    """Buttons to download a kandas certificate in Kazakh and Russian (for any admin page)."""
    label = format_html("{} {}", _("Kandas certificate"), status.certificate_number)
    return _links("admin:documents_issueddocument_certificate", status.pk, label)


def decision_links(application) -> str:
    return _links("admin:documents_issueddocument_decision", application.pk, _("Decision letter"))


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
            *super().get_urls(),
        ]  # fmt: skip

    def _pdf(self, request, kind, subject, language):
        authz.authorize(request.user, authz.VIEW, subject)
        if (
            not authz.can(request.user, authz.ADD, IssuedDocument)
            and not IssuedDocument.objects.filter(
                kind=kind,
                language=language,
                **{
                    "kandas_status"
                    if kind == IssuedDocument.Kind.KANDAS_CERTIFICATE
                    else "citizenship_application": subject
                },
            ).exists()
        ):
            raise PermissionDenied  # analysts read existing printouts; they do not issue new ones
        try:
            issued = services.document_issue(kind=kind, subject=subject, language=language, actor=request.user)
        except DomainError as exc:
            raise Http404(str(exc.message)) from exc
        response = HttpResponse(services.render_pdf(issued), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{services.pdf_filename(issued)}"'
        return response

    def certificate_pdf(self, request, pk, language):
        status = get_object_or_404(
            status_list(user=request.user).select_related("person", "application__region"), pk=pk
        )
        return self._pdf(request, IssuedDocument.Kind.KANDAS_CERTIFICATE, status, language)

    def decision_pdf(self, request, pk, language):
        application = get_object_or_404(application_list(user=request.user), pk=pk)
        return self._pdf(request, IssuedDocument.Kind.CITIZENSHIP_DECISION, application, language)
