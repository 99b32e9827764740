"""The family case file: everything about one family (or one person without a family) on one page.

`case_file()` reads it with a constant number of queries whatever the size of the family's
history (tests/oralman/test_casefile.py pins the count): one query per kind of row, the history
limited to the newest events of each kind. The programmes built on the case file add their own
sections through core.casefile.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import authz
from core.casefile import CaseSection, case_sections
from core.history import HistoryRow, readable
from core.masking import mask_iin, mask_passport, shows_identifiers
from oralman import services
from oralman.models import (
    CaseNote,
    Document,
    DuplicateFlag,
    Family,
    FamilyMember,
    KandasStatus,
    Person,
    StatusApplication,
    StatusRequiredDocument,
)

HISTORY_PER_KIND = 60
HISTORY_SHOWN = 200
EXPIRING_DAYS = 60


def may_open_case_file(user) -> bool:
    """The case file shows applications and statuses: it is for the roles that read them (caseworkers,
    analysts, administrators), not for center staff (who read persons and families only)."""
    return authz.can(user, authz.VIEW, StatusApplication) and authz.can(user, authz.VIEW, Family)


@dataclass
class MemberLine:
    person: Person
    relationship: str
    age: int
    flags: list[Any]
    iin: str
    left_on: datetime.date | None = None


@dataclass
class ChecklistLine:
    person: Person
    required: StatusRequiredDocument
    problem: str  # "" or services.document_problem's codes

    @property
    def label(self):
        return {
            "": _("filed and verified"),
            "missing": _("missing"),
            "unverified": _("not verified"),
            "expired": _("expired"),
            "translation": _("no notarised translation"),
        }[self.problem]


@dataclass
class CaseFile:
    family: Family | None
    persons: list[Person]
    members: list[MemberLine]
    documents: list[Document]
    checklist: list[ChecklistLine]
    applications: list[StatusApplication]
    statuses: list[KandasStatus]
    notes: list[CaseNote]
    history: list[HistoryRow]
    sections: list[CaseSection] = field(default_factory=list)
    shows_identifiers: bool = False

    @property
    def head(self) -> Person:
        return self.family.head if self.family else self.persons[0]

    @property
    def region(self):
        return self.family.region if self.family else self.persons[0].region

    @property
    def case_number(self) -> str:
        return f"F-{self.family.pk}" if self.family else f"P-{self.persons[0].pk}"

    @property
    def active_statuses(self) -> list[KandasStatus]:
        today = timezone.localdate()
        return [s for s in self.statuses if s.is_valid_on(today)]

    @property
    def head_may_apply(self) -> bool:
        """Whether the family application can be filed now: the head has no open application and
        no valid status (the services check the rest)."""
        head = self.head.pk
        return not any(
            a.applicant_id == head and a.state in services.OPEN_STATES for a in self.applications
        ) and not any(s.person_id == head for s in self.active_statuses)

    @property
    def missing_count(self) -> int:
        return sum(1 for line in self.checklist if line.problem)


def _flags(person: Person, *, today, statuses, open_applications, duplicates) -> list:
    flags = []
    if person.age_on(today) < services.ADULT_AGE:
        flags.append(_("minor"))
    if person.citizen_since:
        flags.append(_("citizen of Kazakhstan"))
    elif any(s.person_id == person.pk and s.is_valid_on(today) for s in statuses):
        flags.append(_("kandas status"))
    if not person.is_kazakh_nationality:
        flags.append(_("nationality: %(nationality)s") % {"nationality": person.ethnicity or "—"})
    if person.pk in open_applications:
        flags.append(_("open application"))
    if person.pk in duplicates:
        flags.append(_("possible duplicate"))
    if person.merged_into_id:
        flags.append(_("merged record"))
    return flags


def _checklist(persons, documents, required, today) -> list[ChecklistLine]:
    filed: dict[tuple[int, str], list[Document]] = {}
    for document in documents:
        filed.setdefault((document.person_id, document.doc_type), []).append(document)
    lines = []
    for item in required:
        owners = persons if item.for_whom == StatusRequiredDocument.ForWhom.EVERY_PERSON else persons[:1]
        for person in owners:
            problem = services.document_problem(
                filed.get((person.pk, item.doc_type), []), item, verified=True, on=today
            )
            lines.append(ChecklistLine(person=person, required=item, problem=problem))
    order = {p.pk: i for i, p in enumerate(persons)}
    return sorted(lines, key=lambda line: order[line.person.pk])


def _history(*, family, memberships, persons, documents, applications, statuses, notes, masked) -> list[HistoryRow]:
    """The newest events of every record on the file: one query per kind of record (and one for
    the actors, one for the regions named), however long the history."""
    from pghistory.models import MiddlewareEvents

    groups = [[family] if family else [], memberships, persons, documents, applications, statuses, notes]
    events = []
    for objs in groups:
        if objs:
            events += list(MiddlewareEvents.objects.tracks(*objs).order_by("-pgh_created_at")[:HISTORY_PER_KIND])
    events.sort(key=lambda e: e.pgh_created_at, reverse=True)
    records = {}
    for objs in groups:
        for obj in objs:
            records[(type(obj), str(obj.pk))] = f"{obj._meta.verbose_name}: {obj}"
    return readable(events[:HISTORY_SHOWN], masked=masked, records=records)


def case_file(*, user, family: Family | None = None, person: Person | None = None) -> CaseFile:
    """The case file of `family` (or of `person`, who belongs to none) as `user` may read it;
    the caller has checked that the family or person is in the user's scope."""
    today = timezone.localdate()
    if family is not None:
        family = Family.objects.select_related("head", "region", "assigned_caseworker").get(pk=family.pk)
        memberships = list(
            FamilyMember.objects.filter(family=family)
            .select_related("person")
            .order_by("left_on", "relationship", "person__birth_date")
        )
        rank = {"head": 0, "spouse": 1}
        memberships.sort(key=lambda m: (m.left_on is not None, rank.get(m.relationship, 2), m.person.birth_date))
        current = [m for m in memberships if m.left_on is None]
        persons = [m.person for m in current]
    else:
        person = Person.objects.select_related("region").get(pk=person.pk)
        memberships, current, persons = [], [], [person]
    ids = [p.pk for p in persons]
    documents = list(
        Document.objects.filter(person_id__in=ids)
        .select_related("person", "verified_by")
        .order_by("person_id", "doc_type")
    )
    applications = list(
        StatusApplication.objects.filter(Q(applicant_id__in=ids) | Q(listed_members__person_id__in=ids))
        .distinct()
        .select_related("applicant", "region", "refusal_ground")
        .prefetch_related("listed_members__person")
        .order_by("-created_at", "-id")
    )
    statuses = list(
        KandasStatus.objects.filter(person_id__in=ids).select_related("person", "application").order_by("-issued_on")
    )
    notes = list(CaseNote.objects.filter(family=family).select_related("author", "person")) if family else []
    duplicates = set(
        DuplicateFlag.objects.filter(person_id__in=ids, resolved_at__isnull=True).values_list("person_id", flat=True)
    )
    open_applications = {a.applicant_id for a in applications if a.state in services.OPEN_STATES}
    for a in applications:
        if a.state in services.OPEN_STATES:
            open_applications |= {m.person_id for m in a.listed_members.all()}
    full = shows_identifiers(user, Person)
    relationship = {m.person_id: m.get_relationship_display() for m in current}
    members = [
        MemberLine(
            person=p,
            relationship=relationship.get(p.pk, ""),
            age=p.age_on(today),
            flags=_flags(p, today=today, statuses=statuses, open_applications=open_applications, duplicates=duplicates),
            iin=(p.iin if full else mask_iin(p.iin)) or "—",
        )
        for p in persons
    ]
    members += [
        MemberLine(person=m.person, relationship=m.get_relationship_display(), age=m.person.age_on(today),
                   flags=[_("left the family")], iin="", left_on=m.left_on)
        for m in memberships if m.left_on is not None
    ]  # fmt: skip
    if not full:
        for document in documents:
            document.number = mask_passport(document.number)
    # The checklist is for who may receive the status: Kazakh nationality, never a citizen, no status yet.
    candidates = [
        p for p in persons
        if p.is_kazakh_nationality and not p.citizen_since and not p.former_kz_citizen
        and not any(s.person_id == p.pk and s.is_valid_on(today) for s in statuses)
    ] or persons[:1]  # fmt: skip
    checklist = _checklist(candidates, documents, services.required_documents(), today)
    history = _history(
        family=family, memberships=memberships, persons=persons, documents=documents, applications=applications,
        statuses=statuses, notes=notes, masked={} if full else {"iin": mask_iin, "passport_number": mask_passport},
    )  # fmt: skip
    return CaseFile(
        family=family,
        persons=persons,
        members=members,
        documents=documents,
        checklist=checklist,
        applications=applications,
        statuses=statuses,
        notes=notes,
        history=history,
        sections=case_sections(user=user, family=family, person_ids=ids),
        shows_identifiers=full,
    )
