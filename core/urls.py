"""Site-level pages that are neither the admin nor the API."""

from django.urls import path

from core.views import PrivateFileView, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Uploaded documents and exports: only through this view, which checks the record's permission.
    path("files/<str:model>/<int:pk>/<slug:field>/", PrivateFileView.as_view(), name="private_file"),
]
