from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OralmanConfig(AppConfig):
    name = "oralman"
    verbose_name = _("Kandas (oralman) case files")
