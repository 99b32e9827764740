"""Centers, placements (check-in, check-out, extension) and service records over HTTP.
Views check shape; adaptation_centers.services check the rules; selectors apply the scope."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from adaptation_centers import selectors, services
from adaptation_centers.models import (
    Center,
    CheckOutReason,
    LanguageLevel,
    Outcome,
    Placement,
    PlacementOccupant,
    Referral,
    ServiceKind,
    ServiceRecord,
)
from core.api.base import ReasonSerializer, ScopedReadOnlyViewSet, scoped_related_field
from core.models import Country
from oralman.models import Family, Sex
from oralman.selectors import family_list, person_list


@extend_schema_field(OpenApiTypes.INT)
class ScopedCenterField(serializers.PrimaryKeyRelatedField):
    """A center id among those the user sees (others answer 'does not exist')."""

    def get_queryset(self):
        return selectors.center_list(user=self.context["request"].user)


# --- Serializers ----------------------------------------------------------------------------------


class CenterSerializer(serializers.ModelSerializer):
    beds_taken = serializers.IntegerField(read_only=True)
    free_beds = serializers.SerializerMethodField()

    class Meta:
        model = Center
        fields = [
            "id", "name_ru", "name_kk", "name_en", "kind", "region", "address", "phone", "email", "capacity",
            "max_stay_months", "is_open", "beds_taken", "free_beds",
        ]  # fmt: skip

    def get_free_beds(self, obj) -> int:
        return max(obj.capacity - obj.beds_taken, 0)


class OccupantSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = PlacementOccupant
        fields = ["person", "name", "check_in_on", "checked_out_on"]
        read_only_fields = fields


class PlacementSerializer(serializers.ModelSerializer):
    occupants = OccupantSerializer(many=True, read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    is_overstay = serializers.SerializerMethodField()

    class Meta:
        model = Placement
        fields = [
            "id", "center", "family", "person", "person_name", "beds", "check_in_on", "planned_check_out_on",
            "checked_out_on", "check_out_reason", "check_out_note", "note", "is_overstay", "occupants",
        ]  # fmt: skip
        read_only_fields = fields

    def get_is_overstay(self, obj) -> bool:
        return obj.is_overstay()


class CheckInSerializer(serializers.Serializer):
    center = ScopedCenterField()
    identifier = serializers.CharField(
        max_length=30,
        help_text="IIN or foreign passport number of a person referred to this center (an open referral).",
    )
    whole_family = serializers.BooleanField(
        default=True, help_text="With a family referral, check in the family's current members together."
    )
    beds = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    check_in_on = serializers.DateField(required=False, allow_null=True)
    planned_check_out_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_field({"type": "string", "enum": CheckOutReason.values, "description": "check-out reason"})
class CheckOutReasonField(serializers.ChoiceField):
    """The check-out reason, described inline (the same choices as CheckOutReasonEnum of placements)."""

    def __init__(self, **kwargs):
        super().__init__(choices=CheckOutReason.choices, **kwargs)


class CheckOutSerializer(serializers.Serializer):
    reason = CheckOutReasonField()
    checked_out_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExtendSerializer(serializers.Serializer):
    until = serializers.DateField()
    reason = serializers.CharField()


class ServiceKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceKind
        fields = ["id", "code", "category", "name_ru", "name_kk", "name_en", "is_course", "is_language_course"]


class ServiceRecordSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id", "center", "person", "person_name", "kind", "given_on", "hours", "given_by", "outcome",
            "language_level", "note", "batch", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ServiceLogSerializer(serializers.Serializer):
    """One service for one or several residents (a class) at once."""

    center = ScopedCenterField()
    kind = serializers.PrimaryKeyRelatedField(queryset=ServiceKind.objects.filter(active=True))
    persons = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=200)
    given_on = serializers.DateField(required=False, allow_null=True)
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, default=1)
    outcome = serializers.ChoiceField(choices=Outcome.choices, default=Outcome.GIVEN)
    language_level = serializers.ChoiceField(
        choices=LanguageLevel.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


# --- Views ----------------------------------------------------------------------------------------


class CenterViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.center_list)
    serializer_class = CenterSerializer
    filterset_fields = ["region", "kind", "is_open"]
    search_fields = ["name_ru", "name_kk", "name_en", "address"]
    default_ordering = ["name_ru", "id"]


class PlacementFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="checked_out_on", lookup_expr="isnull", label="staying now")
    overstay = django_filters.BooleanFilter(method="filter_overstay", label="stay overrun")

    class Meta:
        model = Placement
        fields = ["center", "family", "person", "active", "overstay"]

    def filter_overstay(self, queryset, name, value):
        today = timezone.localdate()
        if value:
            return queryset.filter(checked_out_on__isnull=True, planned_check_out_on__lt=today)
        return queryset.exclude(checked_out_on__isnull=True, planned_check_out_on__lt=today)


class PlacementViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.placement_list)
    serializer_class = PlacementSerializer
    action_permissions = {"check_in": "add", "check_out": "change", "extend": "change"}
    filterset_class = PlacementFilter
    search_fields = ["person__surname", "person__given_name", "person__surname_latin", "=person__iin"]
    ordering_fields = ["check_in_on", "planned_check_out_on"]
    default_ordering = ["-check_in_on", "-id"]

    def get_queryset(self):
        occupants = Prefetch("occupants", queryset=PlacementOccupant.objects.select_related("person").order_by("id"))
        return super().get_queryset().prefetch_related(occupants)

    def _answer(self, placement, code=status.HTTP_200_OK):
        placement = self.get_queryset().get(pk=placement.pk)
        return Response(PlacementSerializer(placement, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=CheckInSerializer, responses={201: PlacementSerializer})
    @action(detail=False, methods=["post"], url_path="check-in")
    def check_in(self, request):
        data = CheckInSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        placement = services.placement_check_in_by_identifier(
            center=values["center"], actor=request.user, identifier=values["identifier"],
            whole_family=values["whole_family"], beds=values.get("beds"), check_in_on=values.get("check_in_on"),
            planned_check_out_on=values.get("planned_check_out_on"), note=values["note"],
        )  # fmt: skip
        return self._answer(placement, status.HTTP_201_CREATED)

    @extend_schema(request=CheckOutSerializer, responses={200: PlacementSerializer})
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        placement = self.get_object()
        data = CheckOutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.placement_check_out(
            placement=placement, actor=request.user, reason=data.validated_data["reason"],
            checked_out_on=data.validated_data.get("checked_out_on"), note=data.validated_data["note"],
        )  # fmt: skip
        return self._answer(placement)

    @extend_schema(request=ExtendSerializer, responses={200: PlacementSerializer})
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        placement = self.get_object()
        data = ExtendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.placement_extend(placement=placement, actor=request.user, **data.validated_data)
        return self._answer(placement)


class ServiceRecordViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.service_record_list)
    serializer_class = ServiceRecordSerializer
    filterset_fields = ["center", "person", "kind", "outcome", "given_on"]
    ordering_fields = ["given_on"]
    default_ordering = ["-given_on", "-id"]

    @extend_schema(request=ServiceLogSerializer, responses={201: ServiceRecordSerializer(many=True)})
    def create(self, request):
        data = ServiceLogSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        wanted = set(values.pop("persons"))
        # Only persons the user may reach; any other id answers like an id that does not exist.
        persons = list(person_list(user=request.user).filter(pk__in=wanted))
        if len(persons) != len(wanted):
            raise ValidationError({"persons": [_("Unknown person.")]})
        records = services.service_record_log(persons=persons, actor=request.user, **values)
        return Response(
            ServiceRecordSerializer(records, many=True, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class ServiceKindViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(lambda *, user: selectors.service_kind_list())
    permission_model = ServiceKind
    serializer_class = ServiceKindSerializer
    pagination_class = None
    filterset_fields = ["category", "is_course"]


# --- Referrals ----------------------------------------------------------------------------------------


class ReferralSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id", "center", "person", "person_name", "family", "source", "state", "referred_on",
            "status_holder_reason", "note", "placement", "closed_on", "cancel_reason", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ReferralCreateSerializer(serializers.Serializer):
    """A caseworker refers a person of their region, or a family (give one of the two)."""

    center = serializers.PrimaryKeyRelatedField(queryset=Center.objects.filter(is_open=True))
    person = scoped_related_field(person_list, required=False, allow_null=True)
    family = scoped_related_field(family_list, required=False, allow_null=True)
    referred_on = serializers.DateField(required=False, allow_null=True)
    status_holder_reason = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ArrivalSerializer(serializers.Serializer):
    """An unannounced arrival at the desk: the minimum to identify the person."""

    center = ScopedCenterField()
    surname = serializers.CharField(max_length=100)
    given_name = serializers.CharField(max_length=100)
    patronymic = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    birth_date = serializers.DateField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    country_of_origin = serializers.SlugRelatedField(slug_field="iso2", queryset=Country.objects.all())
    citizenship = serializers.SlugRelatedField(
        slug_field="iso2", queryset=Country.objects.all(), required=False, allow_null=True
    )
    passport_number = serializers.CharField(max_length=30)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReferralViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.referral_list)
    serializer_class = ReferralSerializer
    # core.api.permissions.ActionPermission asks core.authz; the services check the rows.
    action_permissions = {"create": "add", "cancel": "change", "register_arrival": "register_arrival"}
    filterset_fields = ["center", "person", "family", "state", "source"]
    ordering_fields = ["referred_on"]
    default_ordering = ["-referred_on", "-id"]

    def _answer(self, referral, code=status.HTTP_200_OK):
        referral = self.get_queryset().get(pk=referral.pk)
        return Response(ReferralSerializer(referral, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def create(self, request):
        data = ReferralCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        family: Family | None = values.pop("family", None)
        person = values.pop("person", None)
        referral = services.referral_create(
            actor=request.user, family=family, person=None if family else person, **values
        )
        return self._answer(referral, status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        referral = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.referral_cancel(referral=referral, actor=request.user, reason=data.validated_data["reason"])
        return self._answer(referral)

    @extend_schema(request=ArrivalSerializer, responses={201: ReferralSerializer})
    @action(detail=False, methods=["post"], url_path="register-arrival")
    def register_arrival(self, request):
        data = ArrivalSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        referral = services.referral_register_arrival(actor=request.user, **values)
        return self._answer(referral, status.HTTP_201_CREATED)
