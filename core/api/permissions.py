"""The API's one permission class: every view action maps to a model permission, decided by core.authz."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core import authz
from core.roles import role_of

# The model permission each standard viewset action needs.
STANDARD_ACTIONS = {
    "list": authz.VIEW,
    "retrieve": authz.VIEW,
    "metadata": authz.VIEW,
    "create": authz.ADD,
    "update": authz.CHANGE,
    "partial_update": authz.CHANGE,
    "destroy": authz.DELETE,
}


def required_permission(request, view) -> str | None:
    """The permission the view's current action needs ('view', 'add', ... or a dotted name).

    A view may declare ``action_permissions = {"grant": "change", ...}`` for its custom actions (and
    to override a standard one). An undeclared custom action that reads needs 'view'; an undeclared
    one that writes needs nothing that anyone has: None, which denies (fail closed)."""
    action = getattr(view, "action", None)
    declared = getattr(view, "action_permissions", {})
    if action in declared:
        return declared[action]
    if action in STANDARD_ACTIONS:
        return STANDARD_ACTIONS[action]
    if request.method in SAFE_METHODS:
        return authz.VIEW
    return None


def view_model(view):
    """The model a view works on: `permission_model`, else its queryset's model, else None."""
    model = getattr(view, "permission_model", None)
    if model is not None:
        return model
    if getattr(view, "queryset", None) is not None:
        return view.queryset.model
    if hasattr(view, "get_queryset") and hasattr(view, "selector"):
        return view.get_queryset().model
    return None


class ActionPermission(BasePermission):
    """A role is required everywhere; on model views the action's model permission (from the roles
    files) and, for one row, the row's scope (core.authz.can). Views without a model (the reports)
    keep their own checks on top of the role."""

    def has_permission(self, request, view) -> bool:
        if role_of(request.user) is None:
            return False
        model = view_model(view)
        if model is None:
            return True
        if getattr(view, "action_map", None) is not None and view.action is None:
            # A method the viewset does not route: DRF answers 405 (unless the class defines it).
            return not hasattr(type(view), request.method.lower())
        permission = required_permission(request, view)
        return permission is not None and authz.can(request.user, permission, model)

    def has_object_permission(self, request, view, obj) -> bool:
        permission = required_permission(request, view)
        if view_model(view) is None or not isinstance(obj, view_model(view)):
            return permission is not None
        return permission is not None and authz.can(request.user, permission, obj)
