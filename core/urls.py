"""Site-level pages that are neither the admin nor the API."""

from django.urls import path

from core.views import healthz

urlpatterns = [path("healthz", healthz, name="healthz")]
