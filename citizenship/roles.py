from core.roles import READ, Role

CASE_WRITE = ("view", "add", "change")

ROLE_PERMISSIONS = {
    Role.CASEWORKER: {
        "citizenship.citizenshipapplication": CASE_WRITE,
        "citizenship.applicationdocument": ("view", "add", "change", "delete"),
        "citizenship.citizenshiptransition": READ,
        "citizenship.citizenshiprule": READ,
        "citizenship.requireddocument": READ,
        "citizenship.citizenshiprefusalground": READ,
        "citizenship.historicaladmission": READ,
    },
    Role.MINISTRY_ANALYST: {
        f"citizenship.{m}": READ
        for m in (
            "citizenshipapplication",
            "applicationdocument",
            "citizenshiptransition",
            "citizenshiprule",
            "requireddocument",
            "citizenshiprefusalground",
            "historicaladmission",
        )
    },  # fmt: skip
}
