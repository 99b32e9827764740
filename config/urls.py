from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core.home import home
from core.views import view_on_site

api_v1 = [
    path("", include("core.api.urls")),
    path("", include("oralman.api.urls")),
    path("", include("adaptation_centers.api_urls")),
    path("", include("quotas.api_urls")),
    path("", include("citizenship.api_urls")),
    path("", include("notifications.api_urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/reports/", include("core.report_views")),
    # Before the admin's own r/<ct>/<id>/ so that junk ids answer 404 (core.views.view_on_site).
    path("admin/r/<path:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site), name="view_on_site"),
    # Each role's home page in place of the stock index (core.home); the app list stays reachable.
    path("admin/", admin.site.admin_view(home), name="home"),
    path("admin/apps/", admin.site.admin_view(admin.site.index), name="app_list"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("verify/", include("documents.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("", include("core.urls")),
]
# Nothing under MEDIA_URL is served: uploaded documents and exports go through core.files' view.
