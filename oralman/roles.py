from core.roles import READ, Role

CASE_WRITE = ("view", "add", "change")

ROLE_PERMISSIONS = {
    Role.CASEWORKER: {
        "oralman.person": (*CASE_WRITE, "merge"),
        "oralman.personmerge": READ,
        "oralman.importbatch": CASE_WRITE,
        "oralman.importrow": READ,
        "oralman.family": CASE_WRITE,
        "oralman.familymember": ("view", "add", "change", "delete"),
        "oralman.document": CASE_WRITE,
        "oralman.statusapplication": CASE_WRITE,
        "oralman.applicationtransition": READ,
        "oralman.kandasstatus": ("view", "change"),
        "oralman.duplicateflag": ("view", "change"),
        "oralman.refusalground": READ,
        "oralman.statusrule": READ,
    },
    Role.CENTER_STAFF: {"oralman.person": READ, "oralman.family": READ, "oralman.familymember": READ},
    Role.MINISTRY_ANALYST: {
        f"oralman.{m}": READ
        for m in (
            "person",
            "personmerge",
            "importbatch",
            "importrow",
            "family",
            "familymember",
            "document",
            "statusapplication",
            "applicationtransition",
            "kandasstatus",
            "duplicateflag",
            "refusalground",
            "statusrule",
        )
    },  # fmt: skip
}
