from core.roles import READ, Role

CENTER_MODELS = (
    "center",
    "centerstaff",
    "placement",
    "placementoccupant",
    "placementextension",
    "placementalert",
    "servicekind",
    "servicerecord",
    "course",
    "courseenrolment",
    "coursesession",
    "attendance",
    "planitem",
    "referral",
)

ROLE_PERMISSIONS = {
    # Center staff work their own center's desk (the selectors keep them to it).
    Role.CENTER_STAFF: {
        "adaptation_centers.center": READ,
        "adaptation_centers.centerstaff": READ,
        "adaptation_centers.placement": ("view", "add", "change"),
        "adaptation_centers.placementoccupant": READ,
        "adaptation_centers.placementextension": READ,
        "adaptation_centers.placementalert": READ,
        "adaptation_centers.servicekind": READ,
        "adaptation_centers.servicerecord": ("view", "add", "change"),
        "adaptation_centers.course": ("view", "add", "change"),
        "adaptation_centers.courseenrolment": ("view", "add", "change", "delete"),
        "adaptation_centers.coursesession": ("view", "add"),
        "adaptation_centers.attendance": READ,
        "adaptation_centers.planitem": ("view", "add", "change", "delete"),
        # Referrals to their centers: read, and register an unannounced arrival at the desk.
        "adaptation_centers.referral": ("view", "register_arrival"),
    },
    # Caseworkers see where their region's families stay and what they received.
    # Caseworkers refer their region's persons and families to a center (and cancel a referral).
    Role.CASEWORKER: {
        **{
            f"adaptation_centers.{m}": READ
            for m in ("center", "placement", "placementoccupant", "placementextension", "servicekind", "servicerecord")
        },
        "adaptation_centers.referral": ("view", "add", "change"),
    },
    Role.MINISTRY_ANALYST: {f"adaptation_centers.{m}": READ for m in CENTER_MODELS},
}
