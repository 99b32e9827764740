from __future__ import annotations

from rest_framework import serializers

from core.api.base import scoped_related_field
from core.iin import parse_iin
from core.models import Country, Region
from core.scoping import allowed_region_ids
from core.validators import validate_document_upload, validate_plausible_date
from oralman import selectors
from oralman.models import (
    ApplicationTransition,
    Document,
    DocumentType,
    Family,
    FamilyMember,
    KandasStatus,
    Person,
    RefusalGround,
    Relationship,
    StatusApplication,
    TerminationReason,
)


class WritableRegionField(serializers.PrimaryKeyRelatedField):
    """Regions the requesting user may write to (a caseworker: only their own)."""

    def get_queryset(self):
        allowed = allowed_region_ids(self.context["request"].user)
        return Region.objects.all() if allowed is None else Region.objects.filter(pk__in=allowed)


class PersonSerializer(serializers.ModelSerializer):
    region = WritableRegionField()
    country_of_origin = serializers.PrimaryKeyRelatedField(queryset=Country.objects.all())
    citizenship = serializers.PrimaryKeyRelatedField(queryset=Country.objects.all(), required=False, allow_null=True)
    passport_country = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True
    )
    iin = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=12, validators=[])

    class Meta:
        model = Person
        fields = [
            "id", "surname", "given_name", "patronymic", "surname_latin", "given_name_latin", "patronymic_latin",
            "birth_date", "sex", "country_of_origin", "citizenship", "ethnicity", "passport_number", "passport_country",
            "iin", "education", "profession", "languages", "phone", "email", "address", "preferred_language", "region",
            "citizen_since", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["citizen_since", "created_at", "updated_at"]

    def validate_iin(self, value):
        if not value:
            return None
        from django.core.exceptions import ValidationError as DjangoValidationError

        try:
            parse_iin(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value


class PersonCreatedSerializer(PersonSerializer):
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)
    possible_duplicates = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "warnings", "possible_duplicates"]


class FamilyMemberSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = FamilyMember
        fields = ["id", "person", "person_name", "relationship", "joined_on", "left_on"]


class FamilySerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()
    head = scoped_related_field(selectors.person_list)
    region = WritableRegionField(required=False)

    class Meta:
        model = Family
        fields = ["id", "head", "region", "created_at", "members"]
        read_only_fields = ["created_at"]

    def get_members(self, family) -> list[dict]:
        current = [m for m in family.members.all() if m.left_on is None]
        return FamilyMemberSerializer(current, many=True).data


class AddMemberSerializer(serializers.Serializer):
    person = scoped_related_field(selectors.person_list)
    relationship = serializers.ChoiceField(choices=[c for c in Relationship.choices if c[0] != "head"])
    joined_on = serializers.DateField(required=False, validators=[validate_plausible_date])


class RemoveMemberSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    left_on = serializers.DateField(required=False, validators=[validate_plausible_date])


class DocumentSerializer(serializers.ModelSerializer):
    person = scoped_related_field(selectors.person_list)
    application = scoped_related_field(selectors.application_list, required=False, allow_null=True)
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    file = serializers.FileField(required=False, validators=[validate_document_upload])

    class Meta:
        model = Document
        fields = ["id", "person", "application", "doc_type", "number", "issued_on", "valid_until", "file",
                  "uploaded_at", "verified_by", "verified_at"]  # fmt: skip
        read_only_fields = ["uploaded_at", "verified_by", "verified_at"]

    def validate(self, attrs):
        issued, until = attrs.get("issued_on"), attrs.get("valid_until")
        if issued and until and until <= issued:
            from django.utils.translation import gettext as _

            raise serializers.ValidationError({"valid_until": [_("A document cannot expire before it was issued.")]})
        return attrs


class TransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationTransition
        fields = ["from_state", "to_state", "actor", "at", "reason"]


class StatusApplicationSerializer(serializers.ModelSerializer):
    applicant = scoped_related_field(selectors.person_list)
    family = scoped_related_field(selectors.family_list, required=False, allow_null=True)
    region = WritableRegionField()
    applicant_name = serializers.CharField(source="applicant.full_name", read_only=True)
    overdue = serializers.SerializerMethodField()
    next_states = serializers.SerializerMethodField()

    class Meta:
        model = StatusApplication
        fields = [
            "id", "applicant", "applicant_name", "family", "region", "channel", "state", "submitted_on",
            "clock_started_on", "decision_due", "decided_on", "refusal_ground", "overdue", "next_states", "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "state",
            "submitted_on",
            "clock_started_on",
            "decision_due",
            "decided_on",
            "refusal_ground",
            "created_at",
        ]

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()

    def get_next_states(self, obj) -> list[str]:
        from oralman.services import legal_next_states

        return legal_next_states(obj.state)


class StatusApplicationDetailSerializer(StatusApplicationSerializer):
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(StatusApplicationSerializer.Meta):
        fields = [*StatusApplicationSerializer.Meta.fields, "transitions"]


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField()


class RefuseInput(serializers.Serializer):
    ground = serializers.SlugRelatedField(slug_field="code", queryset=RefusalGround.objects.filter(active=True))
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class GrantInput(serializers.Serializer):
    certificate_number = serializers.CharField(required=False, allow_blank=True, max_length=30)


class KandasStatusSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    is_valid = serializers.BooleanField(read_only=True)

    class Meta:
        model = KandasStatus
        fields = ["id", "person", "person_name", "application", "certificate_number", "issued_on", "valid_until",
                  "extensions", "terminated_on", "termination_reason", "termination_note", "is_valid"]  # fmt: skip
        read_only_fields = fields


class ExtendInput(serializers.Serializer):
    months = serializers.IntegerField(required=False, min_value=1, max_value=24)


class TerminateInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=TerminationReason.choices)
    on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
