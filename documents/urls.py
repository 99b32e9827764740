from django.urls import path

from documents.views import verify

app_name = "documents"
urlpatterns = [path("<str:code>/", verify, name="verify")]
