from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Registers the built-in deadline source (kandas status applications) for the digest.
        from notifications import deadlines  # noqa: F401
