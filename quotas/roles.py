from core.roles import READ, Role

ROLE_PERMISSIONS = {
    Role.CASEWORKER: {
        "quotas.quotayear": READ,
        "quotas.regionalquota": READ,
        "quotas.prioritycategory": READ,
        "quotas.quotarequest": ("view", "add", "change"),
        "quotas.allocationrun": READ,
        "quotas.mcivalue": READ,
        "quotas.benefitrates": READ,
        "quotas.benefitinstalment": ("view", "add", "change"),
    },
    Role.MINISTRY_ANALYST: {
        f"quotas.{m}": READ
        for m in (
            "quotayear",
            "regionalquota",
            "prioritycategory",
            "quotarequest",
            "allocationrun",
            "mcivalue",
            "benefitrates",
            "benefitinstalment",
        )
    },  # fmt: skip
}
