from rest_framework import viewsets

from core.api.serializers import CountrySerializer, RegionSerializer
from core.models import Country, Region


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.order_by("code")
    serializer_class = RegionSerializer
    search_fields = ["name_ru", "name_kk", "name_en", "code"]
    pagination_class = None


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Country.objects.order_by("iso2")
    serializer_class = CountrySerializer
    search_fields = ["name_ru", "name_kk", "name_en", "iso2", "iso3"]
    filterset_fields = ["iso2", "iso3"]
