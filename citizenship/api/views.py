"""The API mirrors the desk: the same selectors (scope) and the same service functions (rules)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from citizenship import selectors, services
from citizenship.api import serializers as s
from citizenship.api.filters import CitizenshipApplicationFilter
from citizenship.models import CitizenshipRefusalGround, RequiredDocument
from core.api.base import ReasonSerializer, ScopedModelViewSet


class CitizenshipApplicationViewSet(ScopedModelViewSet):
    selector = staticmethod(selectors.application_list)
    serializer_class = s.CitizenshipApplicationSerializer
    filterset_class = CitizenshipApplicationFilter
    search_fields = [
        "person__surname",
        "person__given_name",
        "person__surname_latin",
        "=person__iin",
        "=registration_number",
    ]
    ordering_fields = ["submitted_on", "decision_due", "decided_on"]
    default_ordering = ["-submitted_on", "-id"]
    http_method_names = ["get", "post", "head", "options"]
    action_permissions = {
        "start_review": "change", "return_for_documents": "change", "resubmit": "change", "withdraw": "change",
        "grant": "change", "refuse": "change", "documents": "citizenship.add_applicationdocument",
        "child_consent": "change",
    }  # fmt: skip

    def get_serializer_class(self):
        return (
            s.CitizenshipApplicationDetailSerializer
            if self.action == "retrieve"
            else s.CitizenshipApplicationSerializer
        )

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("transitions__actor", "filed_documents__document")
        return queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.application_submit(
            person=data["person"], basis=data["basis"], region=data["region"],
            former_citizenship=data.get("former_citizenship"), submitted_on=data.get("submitted_on"),
            actor=self.request.user,
        )  # fmt: skip

    def _respond(self, application, serializer_class=s.CitizenshipApplicationDetailSerializer, **extra):
        fresh = (
            self.get_queryset()
            .prefetch_related("transitions__actor", "filed_documents__document")
            .get(pk=application.pk)
        )
        for key, value in extra.items():
            setattr(fresh, key, value)
        return Response(serializer_class(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: s.CitizenshipApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        return self._respond(services.application_start_review(application=self.get_object(), actor=request.user))

    @extend_schema(request=s.CitizenshipReturnInput, responses={200: s.CitizenshipApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_documents(self, request, pk=None):
        data = s.CitizenshipReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.application_return(application=self.get_object(), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=ReasonSerializer, responses={200: s.CitizenshipApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.application_resubmit(application=self.get_object(), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=ReasonSerializer, responses={200: s.CitizenshipApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.application_withdraw(application=self.get_object(), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=s.CitizenshipGrantInput, responses={200: s.CitizenshipGrantOutput})
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        data = s.CitizenshipGrantInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.application_grant(application=self.get_object(), actor=request.user, **data.validated_data)
        return self._respond(result.application, s.CitizenshipGrantOutput, warnings=result.warnings)

    @extend_schema(request=s.CitizenshipChildConsentInput, responses={200: s.CitizenshipApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="child-consent")
    def child_consent(self, request, pk=None):
        data = s.CitizenshipChildConsentInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        application = self.get_object()
        services.application_record_child_consent(application=application, actor=request.user, **data.validated_data)
        application.refresh_from_db()
        return self._respond(application)

    @extend_schema(request=s.CitizenshipRefuseInput, responses={200: s.CitizenshipApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        data = s.CitizenshipRefuseInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.application_refuse(
                application=self.get_object(), actor=request.user, ground=data.validated_data["ground"],
                note=data.validated_data["note"],
            )
        )  # fmt: skip

    @extend_schema(request=s.CitizenshipAttachDocumentInput, responses={201: s.CitizenshipFiledDocumentSerializer})
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        data = s.CitizenshipAttachDocumentInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        link = services.application_attach_document(
            application=self.get_object(), document=data.validated_data["document"], actor=request.user
        )
        return Response(s.CitizenshipFiledDocumentSerializer(link).data, status=status.HTTP_201_CREATED)


class RefusalGroundViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = CitizenshipRefusalGround.objects.order_by("code")
    serializer_class = s.CitizenshipRefusalGroundSerializer
    pagination_class = None
    lookup_field = "code"


class RequiredDocumentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = RequiredDocument.objects.filter(active=True).order_by("basis", "doc_type")
    serializer_class = s.CitizenshipRequiredDocumentSerializer
    pagination_class = None
    filterset_fields = ["basis"]
