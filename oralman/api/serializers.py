from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.base import scoped_related_field
from core.iin import parse_iin
from core.masking import mask_iin, mask_passport, shows_identifiers
from core.models import Country, Region
from core.scoping import allowed_region_ids
from core.validators import normalize_phone, phone_validator, validate_document_upload, validate_plausible_date
from oralman import matching, selectors
from oralman.models import (
    ApplicationMember,
    ApplicationTransition,
    Document,
    DocumentType,
    Family,
    FamilyMember,
    KandasStatus,
    Person,
    PersonMerge,
    Recommendation,
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


class PersonMatchSerializer(serializers.Serializer):
    score = serializers.FloatField(help_text="Best name similarity, 0..1 (1 for an exact number).")
    reasons = serializers.ListField(child=serializers.CharField())


class PhoneField(serializers.CharField):
    """A phone number typed with spaces, dashes or brackets, stored in E.164 (+77011234567)."""

    def to_internal_value(self, data):
        return normalize_phone(super().to_internal_value(data))


class PersonSerializer(serializers.ModelSerializer):
    phone = PhoneField(required=False, allow_blank=True, max_length=20, validators=[phone_validator])
    region = WritableRegionField()
    country_of_origin = serializers.PrimaryKeyRelatedField(queryset=Country.objects.all())
    citizenship = serializers.PrimaryKeyRelatedField(queryset=Country.objects.all(), required=False, allow_null=True)
    passport_country = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True
    )
    iin = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=12, validators=[])
    match = serializers.SerializerMethodField(help_text="Why the row matched `search` (null without a search).")

    class Meta:
        model = Person
        fields = [
            "id", "surname", "given_name", "patronymic", "surname_latin", "given_name_latin", "patronymic_latin",
            "birth_date", "sex", "country_of_origin", "citizenship", "ethnicity", "former_kz_citizen", "passport_number",
            "passport_country",
            "iin", "education", "profession", "languages", "phone", "email", "address", "preferred_language", "region",
            "former_citizenship", "citizen_since", "created_at", "updated_at", "match",
        ]  # fmt: skip
        read_only_fields = ["former_citizenship", "citizen_since", "created_at", "updated_at"]
        # Left out, the Latin names are spelled from the Cyrillic ones (oralman.services).
        extra_kwargs = {
            name: {"required": False, "allow_blank": True}
            for name in ("surname_latin", "given_name_latin", "patronymic_latin")
        }

    def to_representation(self, instance):
        """IIN and passport number masked for roles without oralman.view_identifiers_person (core.masking);
        the rows are already the user's scope, so the model-level answer holds for each."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not shows_identifiers(request.user, Person):
            data["iin"] = mask_iin(data.get("iin"))
            data["passport_number"] = mask_passport(data.get("passport_number"))
        return data

    @extend_schema_field(PersonMatchSerializer(allow_null=True))
    def get_match(self, obj):
        term = getattr(obj, "match_term", None)
        if term is None:
            return None
        return {"score": round(obj.match_score, 3), "reasons": matching.reasons(obj, term)}

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
        read_only_fields = fields  # output only: members are added through AddMemberSerializer (scoped)


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
                  "translation", "uploaded_at", "verified_by", "verified_at"]  # fmt: skip
        read_only_fields = ["uploaded_at", "verified_by", "verified_at"]

    def to_representation(self, instance):
        """The number (a passport's, most often) masked like the person's identifiers (core.masking)."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not shows_identifiers(request.user, Person):
            data["number"] = mask_passport(data.get("number"))
        return data

    def validate(self, attrs):
        person, application = attrs.get("person"), attrs.get("application")
        if person is not None and application is not None and application.applicant_id != person.pk:
            from django.utils.translation import gettext as _

            raise serializers.ValidationError({"application": [_("The application belongs to another person.")]})
        issued, until = attrs.get("issued_on"), attrs.get("valid_until")
        if issued and until and until <= issued:
            from django.utils.translation import gettext as _

            raise serializers.ValidationError({"valid_until": [_("A document cannot expire before it was issued.")]})
        return attrs


class TransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationTransition
        fields = ["from_state", "to_state", "actor", "at", "reason"]


class ApplicationMemberSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = ApplicationMember
        fields = ["id", "person", "person_name", "representative"]
        read_only_fields = fields


class StatusApplicationSerializer(serializers.ModelSerializer):
    applicant = scoped_related_field(selectors.person_list)
    representative = scoped_related_field(selectors.person_list, required=False, allow_null=True)
    family = scoped_related_field(selectors.family_list, required=False, allow_null=True)
    region = WritableRegionField()
    applicant_name = serializers.CharField(source="applicant.full_name", read_only=True)
    overdue = serializers.SerializerMethodField()
    next_states = serializers.SerializerMethodField()

    class Meta:
        model = StatusApplication
        fields = [
            "id", "applicant", "applicant_name", "representative", "family", "region", "channel", "state", "submitted_on",
            "clock_started_on", "decision_due", "decided_on", "commission_due", "commission_recommendation",
            "commission_recommended_on", "refusal_ground", "overdue", "next_states", "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "state",
            "commission_due",
            "commission_recommendation",
            "commission_recommended_on",
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
    listed_members = ApplicationMemberSerializer(many=True, read_only=True)
    missing_documents = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta(StatusApplicationSerializer.Meta):
        fields = [*StatusApplicationSerializer.Meta.fields, "listed_members", "missing_documents", "warnings",
                  "transitions"]  # fmt: skip

    def get_missing_documents(self, obj) -> list[dict]:
        """The grant's checklist: what is still missing, unverified, expired or untranslated."""
        from oralman.services import missing_documents

        return [
            {"person": m.person.pk, "doc_type": m.doc_type, "problem": m.problem, "text": str(m)}
            for m in missing_documents(obj)
        ]

    def get_warnings(self, obj) -> list[str]:
        from oralman.services import application_warnings

        return application_warnings(obj)


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField()


class RefuseInput(serializers.Serializer):
    ground = serializers.SlugRelatedField(slug_field="code", queryset=RefusalGround.objects.filter(active=True))
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class GrantInput(serializers.Serializer):
    certificate_number = serializers.CharField(required=False, allow_blank=True, max_length=30)
    iin = serializers.CharField(
        required=False, allow_blank=True, max_length=12, help_text="The applicant's IIN, when not yet recorded."
    )
    iins = serializers.DictField(
        child=serializers.CharField(max_length=12), required=False,
        help_text="IINs of listed family members without one, by person id.",
    )  # fmt: skip


class ListMemberInput(serializers.Serializer):
    person = scoped_related_field(selectors.person_list)


class RecommendInput(serializers.Serializer):
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


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


class MergeSerializer(serializers.Serializer):
    other = scoped_related_field(selectors.person_list, help_text="The record to merge into this one.")


class PersonMergeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonMerge
        fields = ["id", "survivor", "merged", "flag", "moved", "fields_taken", "merged_by", "merged_at", "undone_at"]
        read_only_fields = fields
