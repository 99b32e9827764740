from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.roles import Role, role_of


class RolePermission(BasePermission):
    """Any staff role may read (querysets are scoped by selectors); ministry analysts only read."""

    def has_permission(self, request, view) -> bool:
        role = role_of(request.user)
        if role is None:
            return False
        if request.method in SAFE_METHODS:
            return True
        return role != Role.MINISTRY_ANALYST
