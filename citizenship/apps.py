from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenshipConfig(AppConfig):
    name = "citizenship"
    verbose_name = _("Citizenship")

    def ready(self) -> None:
        from citizenship import models, selectors
        from core import authz

        authz.register_scope(models.CitizenshipApplication, selectors.application_list)
        authz.register_child_scope(models.ApplicationDocument, "application", selectors.application_list)
        authz.register_child_scope(models.CitizenshipTransition, "application", selectors.application_list)

        from citizenship.selectors import citizenship_deadlines
        from notifications.deadlines import register_deadline_source

        # Open citizenship applications join the caseworkers' daily deadline digest.
        register_deadline_source("citizenship.application", citizenship_deadlines)

        from citizenship.casefile import section as case_section
        from core.casefile import register_case_section

        # Its rows on the family case file (oralman does not import this app).
        register_case_section(case_section())

        from citizenship import home as citizenship_home
        from core.home import register_queue_source

        # Rows of the caseworker's work queue on the home page.
        register_queue_source("deadlines", citizenship_home.citizenship_deadlines)
        register_queue_source("returned", citizenship_home.citizenship_returned)
