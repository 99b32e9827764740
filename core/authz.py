"""The one place that answers "may this user do this action on this row?".

Two questions, always both:

* **which action** (the role's model permissions, declared in each app's ``roles.py`` and synced to
  the role groups after every migrate): ``user.has_perm("app.change_model")``;
* **whose rows** (the scope): the row must be in the queryset that the model's registered scope
  selector returns for the user (region for caseworkers, own center for center staff, whole
  country for analysts and administrators).

The API's permission class, the admin base classes, custom admin views and the service functions
all call :func:`can` / :func:`authorize`; nothing else decides. Apps register the selector that
scopes each of their models with :func:`register_scope` (in ``AppConfig.ready``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from core.roles import role_of

# model class -> selector(user=...) returning the rows the user may reach
_SCOPES: dict[type[Model], Callable[..., QuerySet]] = {}

# The model permission each standard action needs.
VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"


class NotAllowed(PermissionDenied):
    """Raised by :func:`authorize`; its message never names the row or a person."""

    def __init__(self, message=None):
        super().__init__(message or _("You do not have permission to perform this action."))


def register_scope(model: type[Model], selector: Callable[..., QuerySet]) -> None:
    """Declare the selector that scopes ``model`` (called once per model in ``AppConfig.ready``)."""
    _SCOPES[model] = selector


def register_child_scope(model: type[Model], field: str, parent_selector: Callable[..., QuerySet]) -> None:
    """Declare that a row of ``model`` is in scope when the row its ``field`` points to is (a
    transition of an application, an occupant of a placement, ...)."""

    def select(*, user) -> QuerySet:
        return model._default_manager.filter(**{f"{field}__in": parent_selector(user=user).values("pk")})

    _SCOPES[model] = select


def scope_of(model: type[Model]) -> Callable[..., QuerySet] | None:
    for klass in model.__mro__:
        if klass in _SCOPES:
            return _SCOPES[klass]
    return None


def scoped(user, model: type[Model]) -> QuerySet:
    """The rows of ``model`` in the user's scope: its registered selector, or nothing if the user
    has no role. Reference data with no registered scope is visible to every role."""
    if role_of(user) is None:
        return model._default_manager.none()
    selector = scope_of(model)
    if selector is None:
        return model._default_manager.all()
    return selector(user=user)


def permission_name(action: str, model: type[Model] | Model) -> str:
    """'change' + Person -> 'oralman.change_person'; a dotted name is returned as it is."""
    if "." in action:
        return action
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def in_scope(user, obj: Model) -> bool:
    if obj.pk is None:
        return True
    return scoped(user, type(obj)).filter(pk=obj.pk).exists()


def can(user, action: str, target: type[Model] | Model) -> bool:
    """May ``user`` perform ``action`` ('view', 'add', 'change', 'delete' or a dotted permission)
    on ``target`` (a model class: the action in general; an instance: that row, scope included)?"""
    if user is None or not user.is_authenticated or not user.is_active or role_of(user) is None:
        return False
    model = target if isinstance(target, type) else type(target)
    if not user.has_perm(permission_name(action, model)):
        return False
    if isinstance(target, Model):
        return in_scope(user, target)
    return True


def authorize(user, action: str, target: type[Model] | Model) -> None:
    """:func:`can` or raise :class:`NotAllowed` (a ``PermissionDenied``: 403 in the API and admin)."""
    if not can(user, action, target):
        raise NotAllowed()


def authorize_actor(actor, action: str, target: type[Model] | Model) -> None:
    """:func:`authorize` for a service function: ``actor=None`` is the system itself (Celery tasks,
    the demo loader, migrations) and is not asked; any real user is."""
    if actor is not None:
        authorize(actor, action, target)
