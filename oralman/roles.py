from core.roles import READ, Role

CASE_WRITE = ("view", "add", "change")

ROLE_PERMISSIONS = {
    Role.CASEWORKER: {
        "oralman.person": (*CASE_WRITE, "view_identifiers", "merge"),
        "oralman.personmerge": READ,
        "oralman.importbatch": CASE_WRITE,
        "oralman.importrow": READ,
        "oralman.family": (*CASE_WRITE, "assign", "transfer"),
        "oralman.casenote": ("view", "add"),
        "oralman.familymember": ("view", "add", "change", "delete"),
        "oralman.document": CASE_WRITE,
        "oralman.statusapplication": CASE_WRITE,
        "oralman.applicationmember": ("view", "add", "change", "delete"),
        "oralman.applicationtransition": READ,
        "oralman.kandasstatus": ("view", "change"),
        "oralman.duplicateflag": ("view", "change"),
        "oralman.refusalground": READ,
        "oralman.statusrule": READ,
        "oralman.statusrequireddocument": READ,
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
            "applicationmember",
            "applicationtransition",
            "kandasstatus",
            "duplicateflag",
            "refusalground",
            "statusrule",
            "statusrequireddocument",
            "casenote",
        )
    },  # fmt: skip
}
