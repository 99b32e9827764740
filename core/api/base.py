"""Base classes for the API: every queryset comes from a selector applying the user's scope."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from core.replica import replica_reads
from core.roles import Role, role_of


class ScopedViewSetMixin:
    """Set `selector = staticmethod(app.selectors.thing_list)`; rows outside the scope are 404."""

    selector: Callable

    def get_queryset(self):
        queryset = type(self).selector(user=self.request.user)
        ordering = getattr(self, "default_ordering", None)
        return queryset.order_by(*ordering) if ordering else queryset

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action is not None and (self.lookup_url_kwarg or self.lookup_field) in kwargs:
            # A row outside the scope answers 404 before any input is read (no 400 that would tell
            # an attacker the row exists); the row is kept for the action.
            self.get_object()

    def list(self, request, *args, **kwargs):
        # A ministry analyst's list is the whole country, read-only: the replica may serve it
        # (core.replica; the primary when there is none).
        if role_of(request.user) == Role.MINISTRY_ANALYST:
            with replica_reads():
                return super().list(request, *args, **kwargs)
        return super().list(request, *args, **kwargs)

    def get_object(self):
        if getattr(self, "_scoped_object", None) is None:
            self._scoped_object = super().get_object()
        return self._scoped_object


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def scoped_related_field(selector: Callable, **kwargs) -> serializers.PrimaryKeyRelatedField:
    """A PK field whose choices are the requesting user's scoped rows (others answer 'does not exist')."""

    @extend_schema_field(OpenApiTypes.INT)
    class _Field(serializers.PrimaryKeyRelatedField):
        def get_queryset(self):
            return selector(user=self.context["request"].user)

    return _Field(**kwargs)
