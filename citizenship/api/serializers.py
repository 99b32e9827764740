from __future__ import annotations

from rest_framework import serializers

from citizenship import services
from citizenship.models import (
    ApplicationDocument,
    CitizenshipApplication,
    CitizenshipRefusalGround,
    CitizenshipTransition,
    FollowingChild,
    RequiredDocument,
    State,
)
from core.api.base import scoped_related_field
from core.models import Country, Region
from core.scoping import allowed_region_ids
from oralman import selectors as oralman_selectors

STATE_HELP = "One of: " + ", ".join(State.values) + "."


class WritableRegionField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        allowed = allowed_region_ids(self.context["request"].user)
        return Region.objects.all() if allowed is None else Region.objects.filter(pk__in=allowed)


class CitizenshipApplicationSerializer(serializers.ModelSerializer):
    person = scoped_related_field(oralman_selectors.person_list)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    region = WritableRegionField()
    former_citizenship = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True
    )
    submitted_on = serializers.DateField(required=False)
    overdue = serializers.BooleanField(read_only=True)
    # Plain strings in the schema: an enum named "state" would collide with the status application's.
    state = serializers.CharField(read_only=True, help_text=STATE_HELP)

    class Meta:
        model = CitizenshipApplication
        fields = [
            "id", "person", "person_name", "basis", "region", "former_citizenship", "state", "submitted_on",
            "decision_due", "overdue", "decided_on", "registering_body", "registration_number", "registration_date",
            "iin_assigned", "refusal_ground", "decision_note", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "state", "decision_due", "decided_on", "registering_body", "registration_number", "registration_date",
            "iin_assigned", "refusal_ground", "decision_note", "created_at", "updated_at",
        ]  # fmt: skip


class CitizenshipTransitionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    from_state = serializers.CharField(read_only=True, help_text=STATE_HELP + " Empty for the filing.")
    to_state = serializers.CharField(read_only=True, help_text=STATE_HELP)

    class Meta:
        model = CitizenshipTransition
        fields = ["at", "from_state", "to_state", "actor", "reason"]


class CitizenshipFiledDocumentSerializer(serializers.ModelSerializer):
    doc_type = serializers.CharField(source="document.doc_type", read_only=True)
    verified = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationDocument
        fields = ["id", "document", "doc_type", "verified", "attached_at"]
        read_only_fields = fields  # output only: documents are filed through CitizenshipAttachDocumentInput

    def get_verified(self, obj) -> bool:
        return obj.document.verified_at is not None


class FollowingChildSerializer(serializers.ModelSerializer):
    child_name = serializers.CharField(source="child.full_name", read_only=True)

    class Meta:
        model = FollowingChild
        fields = ["child", "child_name", "consent_on", "consent_document", "followed_on"]
        read_only_fields = fields  # nested, read-only; the consent is recorded through child-consent


class CitizenshipApplicationDetailSerializer(CitizenshipApplicationSerializer):
    transitions = CitizenshipTransitionSerializer(many=True, read_only=True)
    children = FollowingChildSerializer(many=True, read_only=True)
    filed_documents = CitizenshipFiledDocumentSerializer(many=True, read_only=True)
    legal_next_states = serializers.SerializerMethodField()
    missing_documents = serializers.SerializerMethodField()

    class Meta(CitizenshipApplicationSerializer.Meta):
        fields = [
            *CitizenshipApplicationSerializer.Meta.fields, "transitions", "filed_documents", "children",
            "legal_next_states", "missing_documents",
        ]  # fmt: skip

    def get_legal_next_states(self, obj) -> list[str]:
        return services.legal_next_states(obj.state)

    def get_missing_documents(self, obj) -> list[str]:
        return services.missing_documents(obj) if obj.is_open else []


class CitizenshipReturnInput(serializers.Serializer):
    reason = serializers.CharField()


class CitizenshipGrantInput(serializers.Serializer):
    registering_body = serializers.CharField(max_length=300)
    registration_number = serializers.CharField(max_length=50)
    registration_date = serializers.DateField()
    iin = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")


class CitizenshipGrantOutput(CitizenshipApplicationDetailSerializer):
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(CitizenshipApplicationDetailSerializer.Meta):
        fields = [*CitizenshipApplicationDetailSerializer.Meta.fields, "warnings"]


class CitizenshipRefuseInput(serializers.Serializer):
    ground = serializers.SlugRelatedField(
        slug_field="code", queryset=CitizenshipRefusalGround.objects.filter(active=True)
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CitizenshipChildConsentInput(serializers.Serializer):
    child = scoped_related_field(oralman_selectors.person_list)
    consent_on = serializers.DateField()
    document = scoped_related_field(oralman_selectors.document_list, required=False, allow_null=True, default=None)


class CitizenshipAttachDocumentInput(serializers.Serializer):
    document = scoped_related_field(oralman_selectors.document_list)


class CitizenshipRefusalGroundSerializer(serializers.ModelSerializer):
    class Meta:
        model = CitizenshipRefusalGround
        fields = ["code", "name_ru", "name_kk", "name_en", "active"]


class CitizenshipRequiredDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequiredDocument
        fields = ["basis", "doc_type", "active"]
