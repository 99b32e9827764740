from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OralmanConfig(AppConfig):
    name = "oralman"
    verbose_name = _("Kandas (oralman) case files")

    def ready(self) -> None:
        from core.authz import register_scope
        from oralman import selectors
        from oralman.models import Document

        # The download view (core.files) and every other permission check scope documents by person.
        register_scope(Document, selectors.document_list)
