from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenshipConfig(AppConfig):
    name = "citizenship"
    verbose_name = _("Citizenship")
