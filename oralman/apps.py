from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OralmanConfig(AppConfig):
    name = "oralman"
    verbose_name = _("Kandas (oralman) case files")

    def ready(self):
        from core import authz
        from core.search import register_matcher
        from oralman import matching, selectors
        from oralman.models import ImportBatch, Person, PersonMerge

        authz.register_scope(Person, selectors.person_list)
        authz.register_scope(PersonMerge, selectors.person_merge_list)
        authz.register_scope(ImportBatch, selectors.import_batch_list)

        # Every search box that reaches a person (applications, families, statuses, documents,
        # quota requests, placements, citizenship) finds them the way the person list does.
        register_matcher(Person, lambda queryset, term: matching.person_match(queryset, term))
