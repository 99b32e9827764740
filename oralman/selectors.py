"""Reads of the case file, always through the user's scope."""

from __future__ import annotations

import datetime
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from core.roles import Role, role_of
from core.scoping import person_reach, scope_by_region
from oralman.models import (
    OPEN_APPLICATION_STATES,
    ApplicationTransition,
    Document,
    DuplicateFlag,
    Family,
    FamilyMember,
    ImportBatch,
    ImportRow,
    KandasStatus,
    Person,
    PersonMerge,
    StatusApplication,
)


def _center_person_ids(user):
    """Persons the center staff user reaches: what the programmes registered with
    core.scoping.register_person_reach give (the adaptation centers: residents and referred persons)."""
    reaches = person_reach(user)
    if not reaches:
        return Person.objects.none().values("pk")
    if len(reaches) == 1:
        return reaches[0]
    return Person.objects.filter(reduce(or_, (Q(pk__in=ids) for ids in reaches))).values("pk")


def person_list(*, user, include_merged: bool = False) -> QuerySet[Person]:
    """The persons in the user's scope; records merged into another (tombstones) only when asked,
    to lead an old link to the record that was kept."""
    qs = Person.objects.select_related("region", "country_of_origin", "citizenship")
    if not include_merged:
        qs = qs.filter(merged_into__isnull=True)
    if role_of(user) == Role.CENTER_STAFF:
        return qs.filter(pk__in=_center_person_ids(user))
    return scope_by_region(qs, user)


def family_list(*, user) -> QuerySet[Family]:
    qs = Family.objects.select_related("head", "region")
    if role_of(user) == Role.CENTER_STAFF:
        return qs.filter(members__person__in=_center_person_ids(user), members__left_on__isnull=True).distinct()
    return scope_by_region(qs, user)


def family_member_list(*, user) -> QuerySet[FamilyMember]:
    return FamilyMember.objects.filter(family__in=family_list(user=user).values("pk")).select_related(
        "person", "family"
    )


def document_list(*, user) -> QuerySet[Document]:
    return Document.objects.filter(person__in=person_list(user=user).values("pk")).select_related(
        "person", "verified_by"
    )


def application_list(*, user) -> QuerySet[StatusApplication]:
    qs = StatusApplication.objects.select_related("applicant", "region", "refusal_ground")
    if role_of(user) == Role.CENTER_STAFF:
        return qs.none()
    return scope_by_region(qs, user)


def status_list(*, user) -> QuerySet[KandasStatus]:
    qs = KandasStatus.objects.select_related("person", "application__region")
    if role_of(user) == Role.CENTER_STAFF:
        return qs.filter(person__in=_center_person_ids(user))
    return scope_by_region(qs, user, field="person__region_id")


def duplicate_flag_list(*, user) -> QuerySet[DuplicateFlag]:
    return DuplicateFlag.objects.filter(person__in=person_list(user=user).values("pk")).select_related(
        "person", "other"
    )


def application_transition_list(*, user) -> QuerySet[ApplicationTransition]:
    return ApplicationTransition.objects.filter(application__in=application_list(user=user).values("pk"))


def person_merge_list(*, user) -> QuerySet[PersonMerge]:
    persons = person_list(user=user).values("pk")
    return PersonMerge.objects.filter(survivor__in=persons).select_related("survivor", "merged", "merged_by")


def merged_record_target(*, user, pk) -> Person | None:
    """The record a tombstone in the user's scope was merged into (following chains), or None."""
    person = person_list(user=user, include_merged=True).filter(pk=pk).first()
    seen = set()
    while person is not None and person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = person_list(user=user, include_merged=True).filter(pk=person.merged_into_id).first()
    return person


def import_batch_list(*, user) -> QuerySet[ImportBatch]:
    if role_of(user) == Role.CENTER_STAFF:
        return ImportBatch.objects.none()
    return scope_by_region(ImportBatch.objects.select_related("region", "created_by"), user)


def import_row_list(*, user) -> QuerySet[ImportRow]:
    return ImportRow.objects.filter(batch__in=import_batch_list(user=user).values("pk")).select_related(
        "batch", "person"
    )


def status_application_deadlines(region_ids: list[int], until: datetime.date):
    """Kandas status applications with the department (submitted, under review, with the
    commission) whose decision is due on or before `until`, for notifications.deadlines (the
    caseworkers' digest); overdue ones included. Registered in OralmanConfig.ready()."""
    from django.utils.translation import gettext_lazy as _

    from notifications.deadlines import DeadlineItem

    rows = (
        StatusApplication.objects.filter(
            region_id__in=region_ids, state__in=OPEN_APPLICATION_STATES, decision_due__lte=until
        )
        .select_related("applicant")
        .order_by("decision_due", "pk")
    )
    kind = _("status application")
    for application in rows:
        yield DeadlineItem(
            kind=kind,
            reference=str(application.pk),
            person=application.applicant.full_name,
            due=application.decision_due,
            region_id=application.region_id,
        )
