from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdaptationCentersConfig(AppConfig):
    name = "adaptation_centers"
    verbose_name = _("Adaptation and temporary accommodation centers")
