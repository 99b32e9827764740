from core.roles import READ, Role

# Administrators get every permission (core.roles); the admin classes still refuse add, change and
# delete of log rows, and the database refuses UPDATE and DELETE (audit.models).
ROLE_PERMISSIONS = {
    Role.MINISTRY_ANALYST: {"audit.readlogentry": READ, "audit.readalert": READ},
}
