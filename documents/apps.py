from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Printed documents")

    def ready(self) -> None:
        from core import authz
        from documents import models, selectors

        authz.register_scope(models.IssuedDocument, selectors.issued_document_list)
