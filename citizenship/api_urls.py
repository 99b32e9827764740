from rest_framework.routers import DefaultRouter

from citizenship.api import views

router = DefaultRouter()
router.register("citizenship-applications", views.CitizenshipApplicationViewSet, basename="citizenship-application")
router.register("citizenship-refusal-grounds", views.RefusalGroundViewSet, basename="citizenship-refusal-ground")
router.register(
    "citizenship-required-documents", views.RequiredDocumentViewSet, basename="citizenship-required-document"
)
urlpatterns = router.urls
