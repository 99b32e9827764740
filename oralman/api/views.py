"""The case file over HTTP. Views check shape; oralman.services check the rules."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api.base import ReasonSerializer, ScopedModelViewSet, ScopedReadOnlyViewSet
from core.api.parsers import LimitedJSONParser
from core.audit import log_read
from oralman import matching, merging, selectors, services
from oralman.api import serializers as s
from oralman.api.filters import PersonFilter, PersonMatchFilter, StatusApplicationFilter
from oralman.models import FamilyMember


class PersonViewSet(ScopedModelViewSet):
    selector = staticmethod(selectors.person_list)
    serializer_class = s.PersonSerializer
    filterset_class = PersonFilter
    filter_backends = [DjangoFilterBackend, PersonMatchFilter, OrderingFilter]
    search_fields = ["surname"]  # documents the `search` parameter; PersonMatchFilter does the matching
    ordering_fields = ["surname", "birth_date", "created_at"]
    default_ordering = ["surname", "given_name", "id"]

    @extend_schema(responses={201: s.PersonCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.person_create(actor=request.user, **serializer.validated_data)
        data = s.PersonSerializer(result.person, context=self.get_serializer_context()).data
        data["warnings"] = result.warnings
        data["possible_duplicates"] = [matching.describe_duplicate(f, request.user) for f in result.duplicates]
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.person_update(
            person=serializer.instance, actor=self.request.user, **serializer.validated_data
        ).person

    action_permissions = {"merge": "oralman.merge_person"}

    def initial(self, request, *args, **kwargs):
        """A record merged into another (a tombstone in the caller's scope) is not a 404 for a
        read: `retrieve` answers 301 to the record that was kept."""
        self.merged_into = None
        try:
            super().initial(request, *args, **kwargs)
        except Http404:
            pk = str(kwargs.get(self.lookup_field, ""))
            target = selectors.merged_record_target(user=request.user, pk=int(pk)) if pk.isdigit() else None
            if self.action != "retrieve" or target is None or str(target.pk) == pk:
                raise
            self.merged_into = target

    def retrieve(self, request, *args, **kwargs):
        """One person's file (the read is logged)."""
        if self.merged_into is not None:
            return HttpResponsePermanentRedirect(reverse("person-detail", args=[self.merged_into.pk], request=request))
        person = self.get_object()
        log_read(request.user, person, kind="person", request=request)
        return Response(self.get_serializer(person).data)

    @extend_schema(request=s.MergeSerializer, responses={201: s.PersonMergeSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge `other` into this person: this record stays, the other becomes a tombstone."""
        survivor = self.get_object()
        data = s.MergeSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        merge = merging.person_merge(survivor=survivor, other=data.validated_data["other"], actor=request.user)
        return Response(s.PersonMergeSerializer(merge).data, status=status.HTTP_201_CREATED)


class PersonMergeViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.person_merge_list)
    serializer_class = s.PersonMergeSerializer
    default_ordering = ["-merged_at", "-id"]
    action_permissions = {"undo": "oralman.merge_person"}

    @extend_schema(request=None, responses={200: s.PersonMergeSerializer})
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        merge = merging.person_merge_undo(merge=self.get_object(), actor=request.user)
        return Response(s.PersonMergeSerializer(merge).data)


class FamilyViewSet(ScopedModelViewSet):
    selector = staticmethod(selectors.family_list)
    serializer_class = s.FamilySerializer
    filterset_fields = ["region"]
    default_ordering = ["-id"]
    http_method_names = ["get", "post", "head", "options"]
    action_permissions = {"add_member": "oralman.add_familymember", "remove_member": "oralman.delete_familymember"}

    def get_queryset(self):
        members = Prefetch("members", queryset=FamilyMember.objects.select_related("person").order_by("id"))
        return super().get_queryset().prefetch_related(members)

    def retrieve(self, request, *args, **kwargs):
        family = self.get_object()
        log_read(request.user, family, kind="family", request=request)
        return Response(self.get_serializer(family).data)

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
    action_permissions = {"verify": "change"}

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
    action_permissions = {
        "submit": "change", "start_review": "change", "return_for_documents": "change", "grant": "change",
        "refuse": "change", "withdraw": "change", "list_member": "change", "unlist_member": "change",
        "refer_to_commission": "change", "commission_recommend": "change",
    }  # fmt: skip

    def get_serializer_class(self):
        return s.StatusApplicationDetailSerializer if self.action == "retrieve" else s.StatusApplicationSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("transitions", "listed_members__person")
        return queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.application_create(
            applicant=data["applicant"], region=data["region"], family=data.get("family"),
            channel=data.get("channel", "psc"), representative=data.get("representative"), actor=self.request.user,
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
        iins = {}
        for key, value in (data.validated_data.get("iins") or {}).items():
            if not str(key).isdigit():
                raise ValidationError({"iins": [_("The keys are person ids.")]})
            iins[int(key)] = value
        services.application_grant(
            application=application,
            actor=request.user,
            certificate_number=data.validated_data.get("certificate_number") or None,
            iin=data.validated_data.get("iin") or None,
            iins=iins,
        )
        return self._respond(application)

    @extend_schema(request=s.ListMemberInput, responses={200: s.StatusApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="list-member")
    def list_member(self, request, pk=None):
        application = self.get_object()
        data = s.ListMemberInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        services.application_list_member(
            application=application, person=data.validated_data["person"], actor=request.user
        )
        return self._respond(application)

    @extend_schema(request=s.ListMemberInput, responses={200: s.StatusApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="unlist-member")
    def unlist_member(self, request, pk=None):
        application = self.get_object()
        data = s.ListMemberInput(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        member = application.listed_members.filter(person=data.validated_data["person"]).first()
        if member is None:
            raise ValidationError({"person": [_("This person is not listed on the application.")]})
        services.application_unlist_member(member=member, actor=request.user)
        return self._respond(application)

    @extend_schema(request=None, responses={200: s.StatusApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="refer-to-commission")
    def refer_to_commission(self, request, pk=None):
        return self._respond(
            services.application_refer_to_commission(application=self.get_object(), actor=request.user)
        )

    @extend_schema(request=s.RecommendInput, responses={200: s.StatusApplicationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="commission-recommend")
    def commission_recommend(self, request, pk=None):
        data = s.RecommendInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.application_commission_recommend(
                application=self.get_object(), actor=request.user, **data.validated_data
            )
        )

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
    action_permissions = {"extend": "change", "terminate": "change"}

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
