"""The case file over HTTP. Views check shape; oralman.services check the rules."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api.base import ReasonSerializer, ScopedModelViewSet, ScopedReadOnlyViewSet
from core.api.parsers import LimitedJSONParser
from oralman import selectors, services
from oralman.api import serializers as s
from oralman.api.filters import PersonFilter, StatusApplicationFilter
from oralman.models import FamilyMember


class PersonViewSet(ScopedModelViewSet):
    selector = staticmethod(selectors.person_list)
    serializer_class = s.PersonSerializer
    filterset_class = PersonFilter
    search_fields = ["surname", "given_name", "surname_latin", "given_name_latin", "=iin", "=passport_number"]
    ordering_fields = ["surname", "birth_date", "created_at"]
    default_ordering = ["surname", "given_name", "id"]

    @extend_schema(responses={201: s.PersonCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.person_create(actor=request.user, **serializer.validated_data)
        data = s.PersonSerializer(result.person, context=self.get_serializer_context()).data
        data["warnings"] = result.warnings
        data["possible_duplicates"] = [
            {"person": f.other_id, "name": str(f.other), "reason": f.reason} for f in result.duplicates
        ]
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.person_update(
            person=serializer.instance, actor=self.request.user, **serializer.validated_data
        ).person


class FamilyViewSet(ScopedModelViewSet):
    selector = staticmethod(selectors.family_list)
    serializer_class = s.FamilySerializer
    filterset_fields = ["region"]
    default_ordering = ["-id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        members = Prefetch("members", queryset=FamilyMember.objects.select_related("person").order_by("id"))
        return super().get_queryset().prefetch_related(members)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.family_create(
            head=data["head"], region=data.get("region"), actor=self.request.user
        )

    @extend_schema(request=s.AddMemberSerializer, responses={201: s.FamilyMemberSerializer})
    @action(detail=True, methods=["post"], url_path="add-member")
    def add_member(self, request, pk=None):
        family = self.get_object()
        data = s.AddMemberSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        member = services.family_add_member(family=family, actor=request.user, **data.validated_data)
        return Response(s.FamilyMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RemoveMemberSerializer, responses={200: s.FamilyMemberSerializer})
    @action(detail=True, methods=["post"], url_path="remove-member")
    def remove_member(self, request, pk=None):
        family = self.get_object()
        data = s.RemoveMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = family.members.filter(pk=data.validated_data["member"], left_on__isnull=True).first()
        if member is None:
            from django.utils.translation import gettext as _
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"member": [_("No current member with this id in the family.")]})
        member = services.family_remove_member(
            member=member, actor=request.user, left_on=data.validated_data.get("left_on")
        )
        return Response(s.FamilyMemberSerializer(member).data)


class DocumentViewSet(ScopedModelViewSet):
    selector = staticmethod(selectors.document_list)
    serializer_class = s.DocumentSerializer
    parser_classes = [MultiPartParser, FormParser, LimitedJSONParser]
    filterset_fields = ["person", "application", "doc_type"]
    default_ordering = ["-uploaded_at", "-id"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        person = data.pop("person")
        serializer.instance = services.document_add(person=person, actor=self.request.user, **data)

    @extend_schema(request=None, responses={200: s.DocumentSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        document = services.document_verify(document=self.get_object(), actor=request.user)
        return Response(self.get_serializer(document).data)


class StatusApplicationViewSet(ScopedModelViewSet):
    selector = staticmethod(selectors.application_list)
    serializer_class = s.StatusApplicationSerializer
    filterset_class = StatusApplicationFilter
    search_fields = ["applicant__surname", "applicant__given_name", "applicant__surname_latin", "=applicant__iin"]
    ordering_fields = ["created_at", "decision_due", "submitted_on"]
    default_ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        return s.StatusApplicationDetailSerializer if self.action == "retrieve" else s.StatusApplicationSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("transitions")
        return queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.application_create(
            applicant=data["applicant"], region=data["region"], family=data.get("family"),
            channel=data.get("channel", "psc"), actor=self.request.user,
        )  # fmt: skip

    def _respond(self, application):
        application.refresh_from_db()
        return Response(s.StatusApplicationDetailSerializer(application, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: s.StatusApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._respond(services.application_submit(application=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses={200: s.StatusApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        return self._respond(services.application_start_review(application=self.get_object(), actor=request.user))

    @extend_schema(request=s.ReturnInput, responses={200: s.StatusApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_documents(self, request, pk=None):
        data = s.ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.application_return(application=self.get_object(), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=s.GrantInput, responses={200: s.StatusApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        data = s.GrantInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = self.get_object()
        services.application_grant(
            application=application,
            actor=request.user,
            certificate_number=data.validated_data.get("certificate_number") or None,
        )
        return self._respond(application)

    @extend_schema(request=s.RefuseInput, responses={200: s.StatusApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        data = s.RefuseInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.application_refuse(application=self.get_object(), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=ReasonSerializer, responses={200: s.StatusApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.application_withdraw(application=self.get_object(), actor=request.user, **data.validated_data)
        )


class KandasStatusViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.status_list)
    serializer_class = s.KandasStatusSerializer
    filterset_fields = ["person", "termination_reason"]
    search_fields = ["=certificate_number"]
    default_ordering = ["-issued_on", "-id"]

    @extend_schema(request=s.ExtendInput, responses={200: s.KandasStatusSerializer})
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        data = s.ExtendInput(data=request.data)
        data.is_valid(raise_exception=True)
        status_ = services.status_extend(
            status=self.get_object(), actor=request.user, months=data.validated_data.get("months")
        )
        return Response(self.get_serializer(status_).data)

    @extend_schema(request=s.TerminateInput, responses={200: s.KandasStatusSerializer})
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        data = s.TerminateInput(data=request.data)
        data.is_valid(raise_exception=True)
        status_ = services.status_terminate(status=self.get_object(), actor=request.user, **data.validated_data)
        return Response(self.get_serializer(status_).data)
