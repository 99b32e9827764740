"""Factories for citizenship tests: applications built through the services, documents filed."""

from __future__ import annotations

import datetime

from django.utils import timezone

from citizenship import services
from citizenship.models import Basis, CitizenshipApplication, CitizenshipRefusalGround
from oralman.models import Document
from tests.factories import KandasStatusFactory, PersonFactory, UserFactory


def system_user():
    return UserFactory(username="citizenship_tests_admin", role="administrator", is_superuser=True)


def kandas(*, issued_on=None, **person_fields):
    """A person with an active kandas status (issued 30 days ago unless said, valid one year)."""
    person = PersonFactory(**person_fields)
    status = KandasStatusFactory(person=person, **({"issued_on": issued_on} if issued_on else {}))
    return person, status


def file_documents(application: CitizenshipApplication, *, doc_types=None, verified=True, actor=None) -> list:
    actor = actor or system_user()
    doc_types = doc_types if doc_types is not None else services.required_doc_types(application.basis)
    documents = []
    for doc_type in doc_types:
        document = Document.objects.create(
            person=application.person,
            doc_type=doc_type,
            number=f"{doc_type[:3].upper()}-{application.pk}",
            verified_by=actor if verified else None,
            verified_at=timezone.now() if verified else None,
        )
        services.application_attach_document(application=application, document=document, actor=actor)
        documents.append(document)
    return documents


def application(
    *, person=None, basis=Basis.ORALMAN, region=None, state="submitted", documents=True, submitted_on=None, actor=None
) -> CitizenshipApplication:
    """An application in `state`, reached through the legal moves."""
    actor = actor or system_user()
    submitted_on = submitted_on or timezone.localdate() - datetime.timedelta(days=20)
    if person is None:  # a kandas holds a status valid on the day of submission
        earlier = min(submitted_on, timezone.localdate() - datetime.timedelta(days=20)) - datetime.timedelta(days=10)
        person = kandas(issued_on=earlier)[0] if basis == Basis.ORALMAN else PersonFactory()
    app = services.application_submit(
        person=person, basis=basis, region=region or person.region, actor=actor, submitted_on=submitted_on
    )
    if documents:
        file_documents(app, actor=actor)
    path = {
        "submitted": [],
        "under_review": ["review"],
        "returned": ["return"],
        "withdrawn": ["withdraw"],
        "granted": ["review", "grant"],
        "refused": ["review", "refuse"],
    }[state]
    for step in path:
        if step == "review":
            services.application_start_review(application=app, actor=actor)
        elif step == "return":
            services.application_return(application=app, actor=actor, reason="passport copy")
        elif step == "withdraw":
            services.application_withdraw(application=app, actor=actor)
        elif step == "grant":
            services.application_grant(
                application=app, actor=actor, registering_body="УМС ДП Павлодарской области", registration_number="1234", registration_date=timezone.localdate(),
                iin=free_iin(app.person),
            )  # fmt: skip
        elif step == "refuse":
            services.application_refuse(
                application=app, actor=actor, ground=CitizenshipRefusalGround.objects.get(code="false-documents")
            )
    app.refresh_from_db()
    return app


def free_iin(person) -> str:
    """A valid IIN matching the person's birth date and sex that nobody holds."""
    from oralman.models import Person
    from tests.factories import unique_iin

    if person.iin:
        return person.iin
    while True:
        iin = unique_iin(person.birth_date, person.sex)
        if not Person.objects.filter(iin=iin).exists():
            return iin
