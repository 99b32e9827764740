"""Merging two records of the same human, and undoing it.

One person stays (the survivor); every row that points at the other (family membership, the
family's head, documents, status applications, statuses, placements, services, quota requests
through the family, citizenship applications, notifications, duplicate flags) is moved to the
survivor, and the other record stays as a tombstone whose ``merged_into`` points at the survivor,
so old links and API ids still resolve. The references moved are found from the model graph, so an
app added later is merged too without this module knowing it. The audit events of the tombstone
are append-only and stay where they are; the survivor's history page shows both.

A merge can be undone for ``KANDAS_MERGE_UNDO_DAYS`` days (30 by default): the rows recorded in
the merge are moved back. Merging persons of two regions needs an administrator.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import acting
from core.authz import NotAllowed, authorize
from core.errors import DomainError
from core.roles import Role, role_of
from oralman import selectors
from oralman.models import DuplicateFlag, Person, PersonMerge

FIELDS_KEPT_FROM_THE_OTHER = (
    "patronymic",
    "surname_latin",
    "given_name_latin",
    "patronymic_latin",
    "iin",
    "passport_number",
    "passport_country",
    "phone",
    "email",
    "address",
    "profession",
    "education",
)


def undo_period() -> datetime.timedelta:
    return datetime.timedelta(days=settings.KANDAS_MERGE_UNDO_DAYS)


def _references_to_person():
    """(model, field name) of every foreign key to Person, audit events excepted."""
    for relation in Person._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.is_relation):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        model = relation.related_model
        if hasattr(model, "pgh_obj") or model in (PersonMerge,):
            continue  # append-only audit events stay with the record they describe
        yield model, relation.field


def _check_may_merge(actor, survivor: Person, other: Person) -> None:
    authorize(actor, "oralman.merge_person", survivor)
    if other.merged_into_id:  # undoing: the tombstone is out of the lists, not out of the scope
        if not selectors.person_list(user=actor, include_merged=True).filter(pk=other.pk).exists():
            raise NotAllowed()
    else:
        authorize(actor, "oralman.merge_person", other)
    if survivor.region_id != other.region_id and role_of(actor) != Role.ADMINISTRATOR:
        raise DomainError(_("Persons of two regions can be merged only by an administrator."), code="forbidden")


@transaction.atomic
def person_merge(*, survivor: Person, other: Person, actor, flag: DuplicateFlag | None = None) -> PersonMerge:
    """Move everything of ``other`` to ``survivor`` and leave ``other`` as a tombstone."""
    if survivor.pk == other.pk:
        raise DomainError(_("A person cannot be merged with themselves."))
    survivor, other = (
        Person.objects.select_for_update().get(pk=survivor.pk),
        Person.objects.select_for_update().get(pk=other.pk),
    )
    _check_may_merge(actor, survivor, other)  # the permission first: refusals name no state
    if survivor.merged_into_id or other.merged_into_id:
        raise DomainError(_("One of the two records has already been merged into another."))
    moved: dict[str, dict[str, list[int]]] = {}
    with acting(actor):
        for model, fk in _references_to_person():
            rows = model._default_manager.filter(**{fk.name: other})
            ids = list(rows.values_list("pk", flat=True))
            if not ids:
                continue
            if model is DuplicateFlag:  # the flags between the two are settled by the merge itself
                DuplicateFlag.objects.filter(pk__in=ids).filter(
                    **{"other" if fk.name == "person" else "person": survivor}
                ).update(resolved_at=timezone.now(), resolved_by=actor)
            try:
                with transaction.atomic():
                    model._default_manager.filter(pk__in=ids).update(**{fk.name: survivor})
            except IntegrityError as exc:
                raise DomainError(
                    _("The records cannot be merged: both have %(what)s that may exist only once per person.")
                    % {"what": model._meta.verbose_name_plural},
                    code="conflict",
                ) from exc
            moved.setdefault(model._meta.label, {})[fk.name] = ids
        kept = {}
        for name in FIELDS_KEPT_FROM_THE_OTHER:
            if not getattr(survivor, name) and getattr(other, name):
                kept[name] = getattr(other, name)
        if "iin" in kept:  # the IIN is unique: take it off the tombstone first
            Person.objects.filter(pk=other.pk).update(iin=None)
        for name, value in kept.items():
            setattr(survivor, name, value)
        if kept:
            survivor.save(update_fields=[*kept, "updated_at"])
        other.merged_into = survivor
        other.save(update_fields=["merged_into", "updated_at"])
        merge = PersonMerge.objects.create(
            survivor=survivor,
            merged=other,
            flag=flag,
            moved=moved,
            fields_taken=sorted(kept),
            merged_by=actor,
        )
        if flag is not None and flag.resolved_at is None:
            DuplicateFlag.objects.filter(pk=flag.pk).update(resolved_at=timezone.now(), resolved_by=actor)
    return merge


@transaction.atomic
def person_merge_undo(*, merge: PersonMerge, actor, now: datetime.datetime | None = None) -> PersonMerge:
    """Move back every row the merge moved and bring the tombstone back to life."""
    merge = PersonMerge.objects.select_for_update().select_related("survivor", "merged").get(pk=merge.pk)
    _check_may_merge(actor, merge.survivor, merge.merged)  # the permission first: refusals name no state
    now = now or timezone.now()
    if merge.undone_at is not None:
        raise DomainError(_("This merge has already been undone."))
    if now - merge.merged_at > undo_period():
        raise DomainError(
            _("A merge can be undone within %(days)s days; this one is older.") % {"days": undo_period().days}
        )
    survivor, other = merge.survivor, merge.merged
    with acting(actor):
        references = {(model._meta.label, fk.name): model for model, fk in _references_to_person()}
        for label, by_field in merge.moved.items():
            for field_name, ids in by_field.items():
                references[(label, field_name)]._default_manager.filter(pk__in=ids).update(**{field_name: other})
        taken = list(merge.fields_taken)
        if "iin" in taken:
            iin = survivor.iin
            Person.objects.filter(pk=survivor.pk).update(iin=None)
            Person.objects.filter(pk=other.pk).update(iin=iin)
        clear = {name: _blank(Person._meta.get_field(name)) for name in taken if name != "iin"}
        if clear:
            Person.objects.filter(pk=survivor.pk).update(**clear)
        Person.objects.filter(pk=other.pk).update(merged_into=None, updated_at=now)
        if merge.flag_id:
            DuplicateFlag.objects.filter(pk=merge.flag_id).update(resolved_at=None, resolved_by=None)
        merge.undone_at, merge.undone_by = now, actor
        merge.save(update_fields=["undone_at", "undone_by"])
    return merge


def _blank(field):
    return None if field.null else ""


def may_merge(user, survivor: Person, other: Person) -> bool:
    try:
        _check_may_merge(user, survivor, other)
    except (NotAllowed, DomainError):
        return False
    return True
