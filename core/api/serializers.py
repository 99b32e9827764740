from rest_framework import serializers

from core.models import Country, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "kind", "name_ru", "name_kk", "name_en", "administrative_centre"]


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["id", "iso2", "iso3", "numeric", "name_ru", "name_kk", "name_en"]
