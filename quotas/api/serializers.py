from __future__ import annotations

from rest_framework import serializers

from core.api.base import scoped_related_field
from core.models import Region
from core.scoping import allowed_region_ids
from oralman import selectors as oralman_selectors
from quotas.models import (
    AllocationRun,
    PriorityCategory,
    QuotaRequest,
    QuotaUnit,
    QuotaYear,
    RegionalQuota,
    RequestState,
)


class WritableRegionField(serializers.PrimaryKeyRelatedField):
    """Regions the requesting user may write to (a caseworker: only their own)."""

    def get_queryset(self):
        allowed = allowed_region_ids(self.context["request"].user)
        return Region.objects.all() if allowed is None else Region.objects.filter(pk__in=allowed)


class RegionalQuotaSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    year = serializers.IntegerField(source="quota_year.year", read_only=True)
    remaining = serializers.IntegerField(read_only=True)

    class Meta:
        model = RegionalQuota
        fields = ["id", "quota_year", "year", "region", "region_code", "places", "used", "remaining"]
        read_only_fields = ["used"]


class QuotaYearSerializer(serializers.ModelSerializer):
    shares = serializers.SerializerMethodField()

    class Meta:
        model = QuotaYear
        fields = [
            "id", "year", "unit", "national_total", "act_title", "act_number", "act_date", "is_open",
            "oversize_rule", "note", "shares",
        ]  # fmt: skip

    def get_shares(self, obj) -> list[dict]:
        return [{"region": s.region_id, "places": s.places, "used": s.used} for s in obj.shares.all()]


class QuotaYearCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1990, max_value=2100)
    unit = serializers.ChoiceField(choices=QuotaUnit.choices)
    # Sign and zero are a rule (a translated DomainError from the service), not a shape.
    national_total = serializers.IntegerField()
    act_title = serializers.CharField(required=False, allow_blank=True, default="")
    act_number = serializers.CharField(required=False, allow_blank=True, default="")
    act_date = serializers.DateField(required=False, allow_null=True, default=None)
    is_open = serializers.BooleanField(required=False, default=False)


class ShareSetSerializer(serializers.Serializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    places = serializers.IntegerField()


class TotalSerializer(serializers.Serializer):
    national_total = serializers.IntegerField()


class PriorityCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = PriorityCategory
        fields = ["id", "code", "rank", "name_ru", "name_kk", "name_en", "active"]


class QuotaRequestSerializer(serializers.ModelSerializer):
    family = scoped_related_field(oralman_selectors.family_list)
    categories = serializers.PrimaryKeyRelatedField(
        many=True, queryset=PriorityCategory.objects.filter(active=True), required=False
    )
    region = WritableRegionField()
    quota_year = serializers.PrimaryKeyRelatedField(queryset=QuotaYear.objects.all())
    head = serializers.CharField(source="family.head.full_name", read_only=True)
    year = serializers.IntegerField(source="quota_year.year", read_only=True)
    # Plain strings in the schema: an enum named "state" would collide with other apps' states.
    state = serializers.CharField(read_only=True, help_text=" | ".join(RequestState.values))

    class Meta:
        model = QuotaRequest
        fields = [
            "id", "family", "head", "quota_year", "year", "region", "categories", "members_count", "places",
            "submitted_at", "state", "rank", "waitlist_position", "deciding_category", "decided_by_run",
            "decided_at", "closed_at", "close_reason",
        ]  # fmt: skip
        read_only_fields = [
            "members_count", "places", "submitted_at", "state", "rank", "waitlist_position", "deciding_category",
            "decided_by_run", "decided_at", "closed_at", "close_reason",
        ]  # fmt: skip
        validators = []  # one request per family and year: the service says it in words (and the DB enforces it)


class QuotaRequestDetailSerializer(QuotaRequestSerializer):
    explanation = serializers.SerializerMethodField()

    class Meta(QuotaRequestSerializer.Meta):
        fields = [*QuotaRequestSerializer.Meta.fields, "explanation"]

    def get_explanation(self, obj) -> str:
        from quotas.services import quota_request_explanation

        return quota_request_explanation(obj)


class ReleaseSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class AllocationRunSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True, help_text=" | ".join(AllocationRun.Status.values))
    kind = serializers.CharField(read_only=True, help_text=" | ".join(AllocationRun.Kind.values))

    class Meta:
        model = AllocationRun
        fields = [
            "id", "quota_year", "region", "kind", "status", "oversize_rule", "requested_by", "task_id", "dispatched_at",
            "attempts", "regions_total", "regions_done", "progress_percent", "considered", "allocated", "waitlisted",
            "changed", "error", "created_at", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class StartRunSerializer(serializers.Serializer):
    quota_year = serializers.PrimaryKeyRelatedField(queryset=QuotaYear.objects.all())
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)
