from django.urls import path
from rest_framework.routers import DefaultRouter

from core.api.auth import TokenLoginView, TokenLogoutView
from core.api.reports import ReportExportCreateView, ReportExportDetailView, ReportListView, ReportView
from core.api.views import CountryViewSet, RegionViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("countries", CountryViewSet, basename="country")
urlpatterns = [
    path("auth/token/", TokenLoginView.as_view(), name="token-login"),
    path("auth/logout/", TokenLogoutView.as_view(), name="token-logout"),
    path("reports/", ReportListView.as_view(), name="report-list"),
    path("reports/<slug:slug>/", ReportView.as_view(), name="report-detail"),
    path("reports/<slug:slug>/exports/", ReportExportCreateView.as_view(), name="report-export-create"),
    path("report-exports/<int:pk>/", ReportExportDetailView.as_view(), name="report-export-detail"),
    *router.urls,
]
