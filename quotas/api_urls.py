from rest_framework.routers import DefaultRouter

from quotas.api import views

router = DefaultRouter()
router.register("quota-years", views.QuotaYearViewSet, basename="quota-year")
router.register("regional-quotas", views.RegionalQuotaViewSet, basename="regional-quota")
router.register("priority-categories", views.PriorityCategoryViewSet, basename="priority-category")
router.register("quota-requests", views.QuotaRequestViewSet, basename="quota-request")
router.register("allocation-runs", views.AllocationRunViewSet, basename="allocation-run")
urlpatterns = router.urls
