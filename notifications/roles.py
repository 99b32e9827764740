from core.roles import READ, Role

# Notifications hold personal data: caseworkers see those of their region (read-only); administrators
# (all permissions) edit templates and re-send. Analysts work with aggregates, not messages.
ROLE_PERMISSIONS = {
    Role.CASEWORKER: {"notifications.notification": READ, "notifications.deliveryattempt": READ},
}
