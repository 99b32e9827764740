"""Names a user meets in the admin pages of third-party apps, made translatable.

django-celery-beat's column "Scheduler" and its "Crontab translation"/"Human readable" cells, every
field of django-otp's TOTP device and of pghistory's event list are plain English strings (not
gettext messages), so no catalogue can translate them; here they are replaced by lazy messages,
translated in the project's `locale/` (ru, kk). The messages of django-celery-beat that *are*
gettext messages (its own Russian catalogue, no Kazakh one) are completed there too.

This module lives outside every app on purpose: `makemessages` runs per app (docs/operations.md,
"Translations"), so these msgids stay only in `locale/`. Applied by core.apps.CoreConfig.ready."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

CONTEXT = "third-party admin"  # msgids as short as "name" must not retranslate another app's


def _(message: str):
    return pgettext_lazy(CONTEXT, message)


MODEL_NAMES = {
    "otp_totp.TOTPDevice": (_("TOTP device"), _("TOTP devices")),
    "pghistory.MiddlewareEvents": (_("change event"), _("change events")),
}

FIELD_NAMES = {
    "otp_totp.TOTPDevice": {
        "user": (_("user"), _("The user that this device belongs to.")),
        "name": (_("name"), _("The human-readable name of this device.")),
        "confirmed": (_("confirmed"), _("Is this device ready for use?")),
        "throttling_failure_timestamp": (_("last failed attempt"), None),
        "throttling_failure_count": (_("failed attempts in a row"), None),
        "created_at": (_("created at"), None),
        "last_used_at": (_("last used at"), None),
        "key": (_("secret key"), None),
        "step": (_("time step"), _("The time step in seconds.")),
        "t0": (_("start time (t0)"), None),
        "digits": (_("digits"), _("The number of digits to expect in a token.")),
        "tolerance": (_("tolerance"), None),
        "drift": (_("drift"), None),
        "last_t": (_("last time step used"), None),
    },
    # "Name" is a person's full name in our catalogues ("Аты-жөні"): a task has a "name" (атауы).
    "django_celery_beat.PeriodicTask": {"name": (_("name"), None), "task": (_("Task Name"), None)},
    "pghistory.MiddlewareEvents": {
        "pgh_slug": (_("event key"), None),
        "pgh_model": (_("event model"), None),
        "pgh_id": (_("event number"), None),
        "pgh_created_at": (_("time of change"), None),
        "pgh_label": (_("event"), None),
        "pgh_data": (_("data"), None),
        "pgh_diff": (_("changes"), None),
        "pgh_context_id": (_("context"), None),
        "pgh_context": (_("context"), None),
        "pgh_obj_model": (_("record type"), None),
        "pgh_obj_id": (_("record number"), None),
        "user": (_("user"), None),
        "url": (_("address (URL)"), None),
    },
}


# django-otp's device page names its sections with plain strings.
OTP_SECTIONS = {
    "Identity": _("Identity"),
    "Timestamps": _("Timestamps"),
    "Configuration": _("Configuration"),
    "State": _("State"),
    "Throttling": _("Throttling"),
}


def _translated_sections(get_fieldsets):
    def get_fieldsets_translated(self, request, obj=None):
        return [(OTP_SECTIONS.get(title, title), options) for title, options in get_fieldsets(self, request, obj)]

    return get_fieldsets_translated


APP_NAMES = {
    "otp_totp": _("Two-factor authentication"),
    "pghistory": _("Change history"),
    "axes": _("Login attempts"),
}

# pghistory's events list filters, titled in plain English.
PGHISTORY_FILTERS = {
    "MethodFilter": _("method"),
    "LabelFilter": _("event"),
    "EventModelFilter": _("event model"),
    "ObjFilter": _("object"),
    "ModelFilter": _("model"),
}


def apply() -> None:
    from django.apps import apps
    from django.contrib import admin

    for app_label, name in APP_NAMES.items():
        try:
            apps.get_app_config(app_label).verbose_name = name
        except LookupError:
            continue
    try:
        from pghistory.admin import core as pghistory_admin
    except ImportError:
        pghistory_admin = None
    for class_name, title in PGHISTORY_FILTERS.items():
        list_filter = getattr(pghistory_admin, class_name, None)
        if list_filter is not None:
            list_filter.title = title
    for label, (singular, plural) in MODEL_NAMES.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        model._meta.verbose_name, model._meta.verbose_name_plural = singular, plural
    for label, fields in FIELD_NAMES.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        for name, (verbose_name, help_text) in fields.items():
            try:
                field = model._meta.get_field(name)
            except Exception:
                continue
            field.verbose_name = verbose_name
            if help_text is not None:
                field.help_text = help_text
    try:
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        TOTPDevice = None
    device_admin = admin.site._registry.get(TOTPDevice) if TOTPDevice else None
    if device_admin is not None and not getattr(type(device_admin), "_kandas_translated", False):
        kind = type(device_admin)
        kind.get_fieldsets = _translated_sections(kind.get_fieldsets)
        kind.qrcode_link.short_description = _("QR code")
        kind._kandas_translated = True
    try:
        from django_celery_beat.models import CrontabSchedule, PeriodicTask
    except ImportError:
        return
    PeriodicTask.scheduler.fget.short_description = _("Scheduler")
    CrontabSchedule.human_readable.fget.short_description = _("Human readable")
    task_admin = admin.site._registry.get(PeriodicTask)
    if task_admin is not None:
        type(task_admin).crontab_translation.short_description = _("Crontab translation")
    crontab_admin = admin.site._registry.get(CrontabSchedule)
    if crontab_admin is not None and hasattr(type(crontab_admin), "human_readable"):
        type(crontab_admin).human_readable.short_description = _("Human readable")
