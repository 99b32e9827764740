from rest_framework.routers import DefaultRouter

from oralman.api import views

router = DefaultRouter()
router.register("persons", views.PersonViewSet, basename="person")
router.register("person-merges", views.PersonMergeViewSet, basename="person-merge")
router.register("families", views.FamilyViewSet, basename="family")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("status-applications", views.StatusApplicationViewSet, basename="status-application")
router.register("statuses", views.KandasStatusViewSet, basename="kandas-status")
urlpatterns = router.urls
