from rest_framework.routers import DefaultRouter

from adaptation_centers import api

router = DefaultRouter()
router.register("centers", api.CenterViewSet, basename="center")
router.register("placements", api.PlacementViewSet, basename="placement")
router.register("service-records", api.ServiceRecordViewSet, basename="service-record")
router.register("center-referrals", api.ReferralViewSet, basename="center-referral")
router.register("service-kinds", api.ServiceKindViewSet, basename="service-kind")
urlpatterns = router.urls
