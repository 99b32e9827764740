from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotasConfig(AppConfig):
    name = "quotas"
    verbose_name = _("Immigration quota")

    def ready(self) -> None:
        from core import authz
        from quotas import models, selectors

        authz.register_scope(models.QuotaYear, selectors.quota_year_list)
        authz.register_scope(models.RegionalQuota, selectors.regional_quota_list)
        authz.register_scope(models.PriorityCategory, selectors.priority_category_list)
        authz.register_scope(models.QuotaRequest, selectors.quota_request_list)
        authz.register_scope(models.AllocationRun, selectors.allocation_run_list)
        authz.register_scope(models.BenefitInstalment, selectors.instalment_list)

        from core.casefile import register_case_section
        from quotas.casefile import section as case_section

        # Its rows on the family case file (oralman does not import this app).
        register_case_section(case_section())
