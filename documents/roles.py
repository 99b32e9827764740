from core.roles import READ, Role

ROLE_PERMISSIONS = {
    Role.CASEWORKER: {"documents.issueddocument": ("view", "add")},
    Role.MINISTRY_ANALYST: {"documents.issueddocument": READ},
}
