from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdaptationCentersConfig(AppConfig):
    name = "adaptation_centers"
    verbose_name = _("Adaptation and temporary accommodation centers")

    def ready(self):
        from adaptation_centers import models, selectors
        from core.authz import register_scope

        register_scope(models.Center, selectors.center_list)
        register_scope(models.Placement, selectors.placement_list)
        register_scope(models.PlacementOccupant, selectors.occupant_list)
        register_scope(models.ServiceRecord, selectors.service_record_list)
        register_scope(models.Course, selectors.course_list)
        register_scope(models.Referral, selectors.referral_list)
