from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenshipConfig(AppConfig):
    name = "citizenship"
    verbose_name = _("Citizenship")

    def ready(self) -> None:
        from citizenship.selectors import citizenship_deadlines
        from notifications.deadlines import register_deadline_source

        # Open citizenship applications join the caseworkers' daily deadline digest.
        register_deadline_source("citizenship.application", citizenship_deadlines)
