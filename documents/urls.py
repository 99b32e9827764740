from django.urls import path

from documents.views import enter_code, verify

app_name = "documents"
urlpatterns = [
    path("", enter_code, name="enter"),
    path("<str:code>/", verify, name="verify"),
]
