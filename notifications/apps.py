from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from core import authz
        from notifications import models, selectors

        authz.register_scope(models.Notification, selectors.notification_list)
        authz.register_child_scope(models.DeliveryAttempt, "notification", selectors.notification_list)

        from core.casefile import register_case_section
        from notifications.casefile import section as case_section

        # Its rows on the family case file (oralman does not import this app).
        register_case_section(case_section())
