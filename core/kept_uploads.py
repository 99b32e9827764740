"""Uploaded files survive a validation error on the desk.

A browser never sends a file twice: when the admin redisplays a form because something else on the
page is wrong, every chosen file would be lost and had to be chosen again. So, on that redisplay,
each file that passed its own checks is copied into the private storage (``kept/``, a random name,
never a public URL) and the form carries a hidden, signed token naming it, beside the words
"File kept: passport.pdf". Posting the form again with the token and no new file restores the
upload; it then passes the same field and model validators as a fresh upload (core.validators'
content checks included) and the temporary copy is deleted. A token is bound to the user who
uploaded, expires after KEPT_UPLOAD_MAX_AGE seconds, and cannot name any other file (it is
signed). Copies left by abandoned forms are removed the next time a file is kept, after a day.

Why not a library: django-file-form (the ecosystem's answer) uploads through its own AJAX/tus
endpoint and JavaScript into a temporary table, which would be a second upload path beside the
content checks and the private storage, and new public endpoints to classify; this is a widget,
a signer and the storage the case file already uses.
"""

from __future__ import annotations

import datetime
import mimetypes
import posixpath

from django.contrib.admin.widgets import AdminFileWidget
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.files import private_storage, random_name

SUFFIX = "__kept"
SALT = "core.kept-upload"
KEPT_UPLOAD_MAX_AGE = 6 * 3600
PREFIX = "kept"


def keep(upload: UploadedFile, *, owner_id) -> str:
    """Copy ``upload`` into the private storage; a signed token that names it for ``owner_id``."""
    _purge_stale()
    upload.seek(0)
    stored = private_storage().save(random_name(PREFIX, upload.name), upload)
    upload.seek(0)
    name = posixpath.basename(upload.name or "")[:150]
    return signing.dumps({"p": stored, "n": name, "u": owner_id}, salt=SALT, compress=True)


def restore(token: str, *, owner_id) -> UploadedFile | None:
    """The upload a token names, if it is genuine, fresh and the owner's; its temporary copy is deleted."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=KEPT_UPLOAD_MAX_AGE)
    except signing.BadSignature:
        return None
    path = payload.get("p", "")
    if payload.get("u") != owner_id or not path.startswith(PREFIX + "/") or ".." in path:
        return None
    storage = private_storage()
    if not storage.exists(path):
        return None
    with storage.open(path, "rb") as stored:
        content = stored.read()
    storage.delete(path)
    name = payload.get("n") or posixpath.basename(path)
    return SimpleUploadedFile(name, content, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")


def _purge_stale() -> None:
    storage = private_storage()
    cutoff = timezone.now() - datetime.timedelta(days=1)
    try:
        directories, _files = storage.listdir(PREFIX)
    except FileNotFoundError:
        return
    for directory in directories:
        for name in storage.listdir(f"{PREFIX}/{directory}")[1]:
            path = f"{PREFIX}/{directory}/{name}"
            try:
                if storage.get_modified_time(path) < cutoff:
                    storage.delete(path)
            except FileNotFoundError:
                continue


class KeepingFileWidget(AdminFileWidget):
    """The admin's file input, plus the kept file of a redisplayed form (hidden token and its name)."""

    owner_id = None
    kept: tuple[str, str] | None = None  # (token, file name), set when a redisplay keeps a file

    def value_from_datadict(self, data, files, name):
        upload = super().value_from_datadict(data, files, name)
        if upload is None and (token := data.get(name + SUFFIX)):
            # Asked more than once per request (has_changed, clean): the copy is read once.
            restored = self.__dict__.setdefault("_restored", {})
            if token not in restored:
                restored[token] = restore(token, owner_id=self.owner_id)
            if restored[token] is not None:
                restored[token].seek(0)
                return restored[token]
        return upload

    def use_required_attribute(self, initial):
        return super().use_required_attribute(initial) and not self.kept

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if not self.kept:
            return html
        token, filename = self.kept
        return mark_safe(
            html
            + format_html(
                '<input type="hidden" name="{}" value="{}"><div class="help file-kept">{}</div>',
                name + SUFFIX,
                token,
                _("File kept: %(name)s. Choose another file only to replace it.") % {"name": filename},
            )
        )


class KeptUploadsFieldMixin:
    """For ModelAdmin and inlines: file fields get the KeepingFileWidget, bound to the user."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        if isinstance(widget, AdminFileWidget):
            if not isinstance(widget, KeepingFileWidget):
                widget.__class__ = KeepingFileWidget
            widget.owner_id = request.user.pk
        return field


def keep_valid_uploads(form, *, owner_id) -> None:
    """On a redisplayed form: keep each new upload that passed its own field's checks."""
    if not form.is_bound or not hasattr(form, "cleaned_data"):
        return
    for name, field in form.fields.items():
        if not isinstance(field.widget, KeepingFileWidget) or name in form.errors:
            continue
        upload = form.cleaned_data.get(name)
        if isinstance(upload, UploadedFile):
            field.widget.kept = (keep(upload, owner_id=owner_id), posixpath.basename(upload.name))


class KeptUploadsAdminMixin(KeptUploadsFieldMixin):
    """A ModelAdmin whose page, redisplayed after a POST with errors, keeps every valid upload of
    its form and its inlines' forms."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.method == "POST":
            owner = request.user.pk
            adminform = context.get("adminform")
            if adminform is not None:
                keep_valid_uploads(adminform.form, owner_id=owner)
            for inline in context.get("inline_admin_formsets", []):
                for form in inline.formset.forms:
                    keep_valid_uploads(form, owner_id=owner)
        return super().render_change_form(request, context, add, change, form_url, obj)
