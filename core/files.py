"""Private files: identity documents and report exports, never reachable by a public URL.

* They are stored under random names (``documents/ab/<uuid4 hex>.pdf``) in the ``private`` storage,
  rooted at ``PRIVATE_MEDIA_ROOT``, a directory that no URL maps to (``MEDIA_URL`` is not served).
* A :class:`PrivateFileField` knows its download address: ``field_file.url`` is the download view
  (``/files/<app_label>.<model>/<pk>/<field>/``), so the admin's file widget and the API's file
  fields link there instead of to the storage.
* The download view serves a file only to a user who may view its record (:func:`core.authz.can`);
  everyone else gets 404, so no one learns whether the row exists.
* In production the web server sends the bytes: ``PRIVATE_FILES_SERVER = "nginx"`` answers with
  ``X-Accel-Redirect`` to ``PRIVATE_FILES_INTERNAL_URL`` (an ``internal`` nginx location), ``"apache"``
  with ``X-Sendfile`` (mod_xsendfile); the default ``"django"`` streams the file (development).
"""

from __future__ import annotations

import mimetypes
import posixpath
import uuid
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.deconstruct import deconstructible

from core.authz import can


@deconstructible
class PrivateFileSystemStorage(FileSystemStorage):
    """A FileSystemStorage under PRIVATE_MEDIA_ROOT that refuses to make a public URL."""

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location, base_url=None, **kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        raise ValueError("A private file has no public URL; link to its record's download view.")


def private_storage():
    """The ``private`` storage of STORAGES (a callable, so settings can change it per environment)."""
    return storages["private"]


def random_name(prefix: str, filename: str) -> str:
    """``prefix/ab/<32 hex>.ext``: nothing of the person or the original name, only a lower-case
    extension (the content check already decided it); two hex letters spread the directory."""
    extension = posixpath.splitext(filename or "")[1].lower()
    if not extension[1:].isalnum() or len(extension) > 6:
        extension = ""
    token = uuid.uuid4().hex
    return f"{prefix}/{token[:2]}/{token}{extension}"


class PrivateFieldFile(FieldFile):
    @property
    def url(self) -> str:
        self._require_file()
        if self.instance.pk is None:  # not saved yet: nothing to download
            return ""
        return download_url(self.instance, self.field.name)


class PrivateFileField(models.FileField):
    """A FileField in the private storage whose ``url`` is the authorised download view."""

    attr_class = PrivateFieldFile

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("storage", private_storage)
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)


def download_url(instance, field_name: str = "file") -> str:
    return reverse("private_file", args=[instance._meta.label_lower, instance.pk, field_name])


def _private_field(model, field_name: str):
    try:
        field = model._meta.get_field(field_name)
    except Exception:
        return None
    return field if isinstance(field, PrivateFileField) else None


def download_filename(instance, field_file) -> str:
    """A neutral file name for the browser: the record's kind and number, never a person's name."""
    extension = posixpath.splitext(field_file.name)[1].lower()
    return f"{instance._meta.model_name}-{instance.pk}{extension}"


def private_file_response(request, *, model_label: str, pk: int, field_name: str) -> HttpResponse:
    """The file of one record, if the user may view that record; 404 otherwise."""
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        raise Http404
    field = _private_field(model, field_name)
    if field is None:
        raise Http404
    instance = model._default_manager.filter(pk=pk).first()
    # The same answer for a missing row and a row the user may not see.
    if instance is None or not can(request.user, "view", instance):
        raise Http404
    field_file = getattr(instance, field.attname)
    if not field_file or not field_file.storage.exists(field_file.name):
        raise Http404
    filename = download_filename(instance, field_file)
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    server = getattr(settings, "PRIVATE_FILES_SERVER", "django")
    if server == "nginx":
        response = HttpResponse(content_type=content_type)
        internal = settings.PRIVATE_FILES_INTERNAL_URL.rstrip("/") + "/"
        response["X-Accel-Redirect"] = internal + quote(field_file.name)
    elif server == "apache":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = field_file.path
    else:
        response = FileResponse(field_file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def move_public_files_to_private(model, *, field_name: str, prefix: str) -> int:
    """For a data migration: move each row's file from the old public MEDIA_ROOT into the private
    storage under a random name and point the row at it. Rows whose file is already private (or
    missing) are left as they are; running it twice is harmless. Returns the number moved."""
    from django.core.files.storage import FileSystemStorage

    public = FileSystemStorage(location=settings.MEDIA_ROOT)
    private = private_storage()
    moved = 0
    rows = model._default_manager.exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True})
    for pk, name in rows.values_list("pk", field_name).iterator():
        if private.exists(name) or not public.exists(name):
            continue
        with public.open(name, "rb") as source:
            new_name = private.save(random_name(prefix, name), source)
        model._default_manager.filter(pk=pk).update(**{field_name: new_name})
        public.delete(name)
        moved += 1
    return moved
