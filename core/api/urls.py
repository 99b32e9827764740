from rest_framework.routers import DefaultRouter

from core.api.views import CountryViewSet, RegionViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("countries", CountryViewSet, basename="country")
urlpatterns = router.urls
