"""Site-level pages that are neither the admin nor the API."""

from django.urls import path

from core.account_views import otp_enrol, otp_verify
from core.views import PrivateFileView, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("account/otp/", otp_enrol, name="otp-enrol"),
    path("account/otp/verify/", otp_verify, name="otp-verify"),
    # Uploaded documents and exports: only through this view, which checks the record's permission.
    path("files/<str:model>/<int:pk>/<slug:field>/", PrivateFileView.as_view(), name="private_file"),
]
