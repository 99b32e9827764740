"""The outbox over HTTP, read-only and scoped (caseworkers: their region)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import ScopedReadOnlyViewSet
from notifications import selectors
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    # Plain strings: their choice sets share names and values with oralman's (no enum clash in the schema).
    channel = serializers.CharField(read_only=True, help_text="email, sms, or empty when the recipient had no contact")
    language = serializers.CharField(read_only=True, help_text="ru, kk or en")

    class Meta:
        model = Notification
        fields = [
            "id", "event", "key", "person", "user", "region", "channel", "address", "language", "subject", "body",
            "state", "attempts", "resends", "next_attempt_at", "last_error", "sent_at", "failed_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class NotificationViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.notification_list)
    serializer_class = NotificationSerializer
    filterset_fields = ["state", "channel", "event", "region", "person", "user"]
    search_fields = ["=key", "address"]
    ordering_fields = ["created_at", "sent_at"]
    default_ordering = ["-created_at", "-id"]

    @extend_schema(
        responses=inline_serializer(
            "NotificationCountsToday",
            {
                "sent": serializers.IntegerField(),
                "failed": serializers.IntegerField(),
                "pending": serializers.IntegerField(),
            },
        )
    )
    @action(detail=False, methods=["get"], url_path="counts-today")
    def counts_today(self, request):
        """Sent today, failed today (the local day) and waiting now, within the filters given."""
        queryset = self.filter_queryset(self.get_queryset())
        return Response(selectors.notification_counts_today(queryset=queryset.order_by()))
