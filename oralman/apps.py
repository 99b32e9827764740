from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OralmanConfig(AppConfig):
    name = "oralman"
    verbose_name = _("Kandas (oralman) case files")

    def ready(self) -> None:
        from core import authz
        from core.search import register_matcher
        from oralman import matching, models, selectors

        # The scope of each case model (core.authz asks it for every object-level decision).
        authz.register_scope(models.Person, selectors.person_list)
        authz.register_scope(models.Family, selectors.family_list)
        authz.register_scope(models.FamilyMember, selectors.family_member_list)
        authz.register_scope(models.Document, selectors.document_list)
        authz.register_scope(models.StatusApplication, selectors.application_list)
        authz.register_scope(models.ApplicationTransition, selectors.application_transition_list)
        authz.register_scope(models.KandasStatus, selectors.status_list)
        authz.register_scope(models.DuplicateFlag, selectors.duplicate_flag_list)
        authz.register_scope(models.PersonMerge, selectors.person_merge_list)
        authz.register_scope(models.ImportBatch, selectors.import_batch_list)
        authz.register_scope(models.ImportRow, selectors.import_row_list)
        authz.register_child_scope(models.CaseNote, "family", selectors.family_list)

        # Every search box that reaches a person (applications, families, statuses, documents,
        # quota requests, placements, citizenship) finds them the way the person list does.
        register_matcher(models.Person, lambda queryset, term: matching.person_match(queryset, term))

        from notifications.deadlines import register_deadline_source

        # Open status applications join the caseworkers' daily deadline digest.
        register_deadline_source("oralman.status_application", selectors.status_application_deadlines)

        from core.home import register_queue_source
        from oralman import home as oralman_home

        # Rows of the caseworker's work queue on the home page.
        register_queue_source("my_cases", oralman_home.my_cases)
        register_queue_source("deadlines", oralman_home.status_deadlines)
        register_queue_source("returned", oralman_home.status_returned)
        register_queue_source("expiring", oralman_home.statuses_expiring)
