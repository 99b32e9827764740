"""Site-level pages that are neither the admin nor the API."""

from django.urls import path

from core.account_views import otp_enrol, otp_verify
from core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("account/otp/", otp_enrol, name="otp-enrol"),
    path("account/otp/verify/", otp_verify, name="otp-verify"),
]
