"""Roles are Django groups created by a migration; their permissions are declared per app.

Each app may have a ``roles.py`` with ``ROLE_PERMISSIONS = {role: {"app_label.model": actions}}``;
after every migrate the groups get exactly the declared permissions (idempotent).
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

ALL = ("view", "add", "change", "delete")
READ = ("view",)


class Role(TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    MINISTRY_ANALYST = "ministry_analyst", _("ministry analyst")
    CASEWORKER = "caseworker", _("caseworker")
    CENTER_STAFF = "center_staff", _("center staff")


# Reference data every role may read; administrators get everything.
ROLE_PERMISSIONS = {
    Role.CASEWORKER: {"core.region": READ, "core.country": READ, "core.reportexport": READ},
    Role.CENTER_STAFF: {"core.region": READ, "core.country": READ},
    Role.MINISTRY_ANALYST: {"core.region": READ, "core.country": READ, "core.user": READ, "core.reportexport": READ},
}


def role_of(user) -> Role | None:
    """The user's role; a superuser counts as administrator. Cached on the user object."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_kandas_role", "unset")
    if cached != "unset":
        return cached
    if user.is_superuser:
        role = Role.ADMINISTRATOR
    else:
        names = set(user.groups.values_list("name", flat=True))
        role = next((r for r in Role if r.value in names), None)
    user._kandas_role = role
    return role


def sees_whole_country(user) -> bool:
    return role_of(user) in (Role.ADMINISTRATOR, Role.MINISTRY_ANALYST)


def is_read_only(user) -> bool:
    return role_of(user) == Role.MINISTRY_ANALYST


def declared_permissions() -> dict[str, set[str]]:
    """Role -> set of 'app_label.codename', gathered from every app's roles.py."""
    result: dict[str, set[str]] = {r.value: set() for r in Role}
    sources = [ROLE_PERMISSIONS]
    for config in apps.get_app_configs():
        if config.name == "core":
            continue
        try:
            module = import_module(f"{config.name}.roles")
        except ModuleNotFoundError:
            continue
        sources.append(getattr(module, "ROLE_PERMISSIONS", {}))
    for source in sources:
        for role, models in source.items():
            for label, actions in models.items():
                app_label, model = label.split(".")
                result[str(role)] |= {f"{app_label}.{action}_{model}" for action in actions}
    return result


def sync_role_permissions(**kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    if not apps.is_installed("django.contrib.auth"):
        return
    all_perms = {
        f"{p.content_type.app_label}.{p.codename}": p for p in Permission.objects.select_related("content_type")
    }
    for role, wanted in declared_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        if role == Role.ADMINISTRATOR:
            group.permissions.set(all_perms.values())
        else:
            group.permissions.set([all_perms[key] for key in wanted if key in all_perms])
