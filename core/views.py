from django.contrib.contenttypes import views as contenttype_views
from django.db import DatabaseError, connection, transaction
from django.http import Http404, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from core.files import private_file_response


def healthz(request):
    """Liveness and database reachability, for the container health check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class _AnyTypeRenderer(JSONRenderer):
    """Lets a client that asks for the file's own type (Accept: application/pdf) get it instead of
    406; the file itself is an HttpResponse and is not rendered."""

    media_type = "*/*"
    format = "file"


class PrivateFileView(APIView):
    """Download of an uploaded document or an export, for a user who may view its record (session
    or API token); 404 for everyone else. See core.files."""

    renderer_classes = [JSONRenderer, _AnyTypeRenderer]

    @extend_schema(
        operation_id="private_file_download",
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="the file, as an attachment"), 404: None},
    )
    def get(self, request, model: str, pk: int, field: str):
        return private_file_response(request, model_label=model, pk=pk, field_name=field)


def view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" redirect, answering 404 (not 500) for a content type whose model
    cannot be fetched by id (pghistory's event aggregate has no table of its own)."""
    try:
        with transaction.atomic():
            return contenttype_views.shortcut(request, content_type_id, object_id)
    except DatabaseError:
        raise Http404
