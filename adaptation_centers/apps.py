from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdaptationCentersConfig(AppConfig):
    name = "adaptation_centers"
    verbose_name = _("Adaptation and temporary accommodation centers")

    def ready(self) -> None:
        from adaptation_centers import models, selectors
        from core import authz

        authz.register_scope(models.Center, selectors.center_list)
        authz.register_child_scope(models.CenterStaff, "center", selectors.center_list)
        authz.register_scope(models.Placement, selectors.placement_list)
        authz.register_scope(models.PlacementOccupant, selectors.occupant_list)
        authz.register_child_scope(models.PlacementExtension, "placement", selectors.placement_list)
        authz.register_child_scope(models.PlacementAlert, "placement", selectors.placement_list)
        authz.register_child_scope(models.PlanItem, "placement", selectors.placement_list)
        authz.register_scope(models.ServiceRecord, selectors.service_record_list)
        authz.register_scope(models.Course, selectors.course_list)
        authz.register_child_scope(models.CourseEnrolment, "course", selectors.course_list)
        authz.register_child_scope(models.CourseSession, "course", selectors.course_list)
        authz.register_child_scope(models.Attendance, "session__course", selectors.course_list)
        authz.register_scope(models.Referral, selectors.referral_list)

        from core.scoping import register_person_reach

        # Center staff's view of persons in the case file (oralman asks core, never this app).
        register_person_reach(selectors.person_ids_placed_in_users_centers)

        from adaptation_centers.casefile import section as case_section
        from core.casefile import register_case_section

        # Its rows on the family case file (oralman does not import this app).
        register_case_section(case_section())
