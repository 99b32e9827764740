"""The quota over HTTP. Serializers check shape; quotas.services check the rules."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import ReasonSerializer, ScopedReadOnlyViewSet, ScopedViewSetMixin
from quotas import selectors, services
from quotas.api import serializers as s
from quotas.models import RegionalQuota


class QuotaYearViewSet(ScopedReadOnlyViewSet):
    """Quota years with their regional split; administrators record a year, its total and its split."""

    selector = staticmethod(selectors.quota_year_list)
    serializer_class = s.QuotaYearSerializer
    filterset_fields = ["year", "unit", "is_open"]
    default_ordering = ["-year"]
    action_permissions = {"set_share": "quotas.change_regionalquota", "set_total": "change"}

    def get_queryset(self):
        shares = Prefetch("shares", queryset=RegionalQuota.objects.order_by("-places", "region_id"))
        return super().get_queryset().prefetch_related(shares)

    @extend_schema(request=s.QuotaYearCreateSerializer, responses={201: s.QuotaYearSerializer})
    def create(self, request):
        data = s.QuotaYearCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        year = services.quota_year_create(actor=request.user, **data.validated_data)
        return Response(s.QuotaYearSerializer(self.get_queryset().get(pk=year.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ShareSetSerializer, responses={200: s.RegionalQuotaSerializer})
    @action(detail=True, methods=["post"], url_path="set-share")
    def set_share(self, request, pk=None):
        data = s.ShareSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        share = services.regional_quota_set(quota_year=self.get_object(), actor=request.user, **data.validated_data)
        return Response(s.RegionalQuotaSerializer(share).data)

    @extend_schema(request=s.TotalSerializer, responses={200: s.QuotaYearSerializer})
    @action(detail=True, methods=["post"], url_path="set-total")
    def set_total(self, request, pk=None):
        data = s.TotalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        year = services.quota_year_set_total(quota_year=self.get_object(), actor=request.user, **data.validated_data)
        return Response(s.QuotaYearSerializer(self.get_queryset().get(pk=year.pk)).data)


class RegionalQuotaViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.regional_quota_list)
    serializer_class = s.RegionalQuotaSerializer
    filterset_fields = ["quota_year", "region", "quota_year__year"]
    default_ordering = ["-quota_year__year", "-places", "region_id"]
    pagination_class = None


class PriorityCategoryViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.priority_category_list)
    serializer_class = s.PriorityCategorySerializer
    default_ordering = ["rank"]
    pagination_class = None


class QuotaRequestViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Requests of the user's scope; decline, release and settle are actions."""

    selector = staticmethod(selectors.quota_request_list)
    filterset_fields = ["quota_year", "region", "state", "deciding_category", "decided_by_run"]
    search_fields = ["family__head__surname", "family__head__surname_latin", "=family__head__iin"]
    ordering_fields = ["submitted_at", "rank", "waitlist_position"]
    default_ordering = ["quota_year", "region_id", "rank", "submitted_at", "id"]
    action_permissions = {"decline": "change", "release": "change", "settle": "change"}

    def get_serializer_class(self):
        return s.QuotaRequestSerializer if self.action == "list" else s.QuotaRequestDetailSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.quota_request_create(
            family=data["family"], quota_year=data["quota_year"], region=data["region"],
            categories=data.get("categories", []), actor=self.request.user,
        )  # fmt: skip

    def _respond(self, request_obj):
        fresh = self.get_queryset().get(pk=request_obj.pk)
        return Response(s.QuotaRequestDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=ReasonSerializer, responses={200: s.QuotaRequestDetailSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.quota_request_decline(request=self.get_object(), actor=request.user, reason=data.validated_data["reason"])
        )  # fmt: skip

    @extend_schema(request=s.ReleaseSerializer, responses={200: s.QuotaRequestDetailSerializer})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        data = s.ReleaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.quota_request_release(request=self.get_object(), actor=request.user, reason=data.validated_data["reason"])
        )  # fmt: skip

    @extend_schema(request=None, responses={200: s.QuotaRequestDetailSerializer})
    @action(detail=True, methods=["post"])
    def settle(self, request, pk=None):
        return self._respond(services.quota_request_settle(request=self.get_object(), actor=request.user))


class AllocationRunViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Allocation runs and their progress; POST starts a run (administrators)."""

    selector = staticmethod(selectors.allocation_run_list)
    serializer_class = s.AllocationRunSerializer
    filterset_fields = ["quota_year", "status", "kind"]
    default_ordering = ["-created_at", "-id"]
    action_permissions = {"create": "quotas.start_allocationrun"}

    @extend_schema(request=s.StartRunSerializer, responses={202: s.AllocationRunSerializer})
    def create(self, request):
        data = s.StartRunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.allocation_run_start(actor=request.user, **data.validated_data)
        run.refresh_from_db()
        return Response(s.AllocationRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
