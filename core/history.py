"""The audit trail read by a person: translated field names and values, local time, the actor.

pghistory records raw column values (ids, choice codes, ISO timestamps in UTC); this module turns
a batch of events into rows a caseworker reads ("Регион: Павлодарская → Акмолинская", 30.11.2026
14:05, caseworker.pavlodar). One query for the actors and one for the regions named in the batch,
whatever its size. Used by the History page of every record (core.audit) and by the case file.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

# Columns nobody needs to read in a history (derived keys, timestamps the row keeps itself).
HIDDEN_FIELDS = {"name_key", "latin_key", "updated_at", "id"}

EVENT_LABELS = {
    "insert": "created",
    "update": "changed",
    "delete": "deleted",
    "group.add": "role added",
    "group.remove": "role removed",
    "password.change": "password changed",
}


@dataclass
class Change:
    field: str
    label: Any
    before: str
    after: str


@dataclass
class HistoryRow:
    at: datetime.datetime
    actor: Any
    event: str
    record: str
    changes: list[Change] = field(default_factory=list)
    reason: str = ""
    model: type[models.Model] | None = None
    object_id: Any = None

    @property
    def local_at(self) -> str:
        return format_datetime(self.at)


def format_datetime(value: datetime.datetime | None) -> str:
    """dd.mm.yyyy HH:MM in the site's time zone (Asia/Almaty), whatever the language."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%d.%m.%Y %H:%M")


def event_label(label: str) -> str:
    english = EVENT_LABELS.get(label)
    return _(english) if english else label


def tracked_model(event) -> type[models.Model] | None:
    """The model an aggregated event (pghistory's MiddlewareEvents row) belongs to."""
    try:
        event_model = apps.get_model(event.pgh_model)
    except (LookupError, ValueError):
        return None
    return getattr(event_model, "pgh_tracked_model", None)


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        try:
            return model._meta.get_field(name.removesuffix("_id"))
        except FieldDoesNotExist:
            return None


def field_label(model, name: str) -> str:
    f = _field(model, name)
    label = getattr(f, "verbose_name", None) if f is not None else None
    return str(label)[:1].upper() + str(label)[1:] if label else name


class ValueReader:
    """Turns raw values into text; foreign keys to users and regions are named (looked up in bulk
    with :meth:`prefetch`), other foreign keys show as "No. 12"."""

    def __init__(self):
        self.users: dict[int, str] = {}
        self.regions: dict[int, str] = {}

    def prefetch(self, events) -> None:
        from core.models import Region, User

        user_ids, region_ids = set(), set()
        for event in events:
            model = tracked_model(event)
            context = event.pgh_context or {}
            if context.get("user"):
                user_ids.add(context["user"])
            for name, change in (event.pgh_diff or {}).items():
                f = _field(model, name)
                target = getattr(f, "related_model", None)
                ids = {v for v in change if isinstance(v, int)}
                if target is not None and issubclass(target, User):
                    user_ids |= ids
                elif target is Region:
                    region_ids |= ids
        if user_ids:
            self.users = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=user_ids)}
        if region_ids:
            self.regions = {r.pk: str(r) for r in Region.objects.filter(pk__in=region_ids)}

    def read(self, model, name: str, value) -> str:
        if value is None or value == "":
            return "—"
        f = _field(model, name)
        if f is None:
            return str(value)
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(f, models.BooleanField):
            return _("yes") if value else _("no")
        if f.is_relation and f.many_to_one:
            from core.models import Region, User

            if issubclass(f.related_model, User):
                return self.users.get(value, f"No. {value}")
            if f.related_model is Region:
                return self.regions.get(value, f"No. {value}")
            return _("No. %(id)s") % {"id": value}
        if isinstance(f, models.DateTimeField) and isinstance(value, str):
            parsed = parse_datetime(value)
            return format_datetime(parsed) if parsed else value
        if isinstance(f, models.DateField) and isinstance(value, str):
            parsed = parse_date(value)
            return parsed.strftime("%d.%m.%Y") if parsed else value
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or "—"
        return str(value)


def readable(events, *, masked: dict | None = None, records: dict | None = None) -> list[HistoryRow]:
    """Rows for `events` (MiddlewareEvents, newest first). `masked`: field -> masking function (for
    values the reader may not see in full); `records`: (model, pk) -> the record's name."""
    from core.models import User

    events = list(events)
    masked = masked or {}
    records = records or {}
    reader = ValueReader()
    reader.prefetch(events)
    rows = []
    for event in events:
        model = tracked_model(event)
        context = event.pgh_context or {}
        actor_id = context.get("user")
        changes = []
        for name, change in sorted((event.pgh_diff or {}).items()):
            if name in HIDDEN_FIELDS or (model is User and name in ("password", "last_login")):
                continue
            before, after = (change + [None, None])[:2] if isinstance(change, list) else (None, change)
            if name in masked:
                before, after = (masked[name](v) if v else v for v in (before, after))
            changes.append(
                Change(
                    name, field_label(model, name), reader.read(model, name, before), reader.read(model, name, after)
                )
            )
        record = records.get((model, str(event.pgh_obj_id))) or (str(model._meta.verbose_name) if model else "")
        rows.append(
            HistoryRow(
                at=event.pgh_created_at,
                actor=reader.users.get(actor_id) if actor_id else None,
                event=event_label(event.pgh_label),
                record=record,
                changes=changes,
                reason=str(context.get("reason") or ""),
                model=model,
                object_id=event.pgh_obj_id,
            )
        )
    return rows
