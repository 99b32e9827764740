from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OralmanConfig(AppConfig):
    name = "oralman"
    verbose_name = _("Kandas (oralman) case files")

    def ready(self) -> None:
        from core.authz import register_scope
        from oralman import selectors
        from oralman.models import Document, Person

        # The download view (core.files), the identifier masking (core.masking) and every other
        # permission check scope persons by region and documents by person.
        register_scope(Person, selectors.person_list)
        register_scope(Document, selectors.document_list)
