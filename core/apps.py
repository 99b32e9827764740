from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Reference data and users")

    def ready(self) -> None:
        from core import authz
        from core.models import ReportExport
        from core.selectors import report_export_list

        authz.register_scope(ReportExport, report_export_list)

        from django.db.models.signals import post_migrate
        from django.utils.module_loading import autodiscover_modules

        from core.roles import sync_role_permissions

        # After every app's migrate (permissions of later apps exist only by then); idempotent.
        post_migrate.connect(sync_role_permissions, dispatch_uid="kandas_sync_role_permissions")
        # Each app's reports.py registers its reports (core.reports.register).
        autodiscover_modules("reports")

        from core.authz import register_scope
        from core.models import ReportExport
        from core.selectors import report_export_list

        register_scope(ReportExport, report_export_list)

        # The replica router's per-request state (core.replica) is reset for each Celery job too.
        from celery.signals import task_prerun

        from core import replica

        task_prerun.connect(replica.reset, dispatch_uid="kandas-replica-reset-task", weak=False)

        # Third-party admin pages (celery-beat, django-otp, pghistory) in the user's language.
        from config import third_party_i18n

        third_party_i18n.apply()
