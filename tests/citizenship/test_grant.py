import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from citizenship import services
from citizenship.models import Basis, CitizenshipApplication, State
from core.errors import DomainError
from oralman.models import Document, KandasStatus, Person
from tests.citizenship import factories as f
from tests.factories import KandasStatusFactory, PersonFactory, unique_iin

TODAY = timezone.localdate


def _grant(app, actor, **kwargs):
    kwargs.setdefault("registering_body", "УМС ДП Павлодарской области")
    kwargs.setdefault("registration_number", "№ 512")
    kwargs.setdefault("registration_date", TODAY())
    kwargs.setdefault("iin", f.free_iin(app.person))
    return services.application_grant(application=app, actor=actor, **kwargs)


def _unchanged(app, status=None):
    app.refresh_from_db()
    person = Person.objects.get(pk=app.person_id)
    assert app.state == State.UNDER_REVIEW
    assert (app.registration_number, app.iin_assigned, app.decided_on) == ("", "", None)
    assert person.citizen_since is None and person.iin is None
    if status is not None:
        status.refresh_from_db()
        assert status.terminated_on is None and status.termination_reason == ""


def test_grant_makes_the_person_a_citizen_and_ends_the_kandas_status(db, caseworker):
    person, status = f.kandas()
    app = f.application(person=person, state="under_review")
    iin = f.free_iin(person)
    result = _grant(app, caseworker, iin=iin, registration_date=TODAY() - datetime.timedelta(days=1))
    app.refresh_from_db()
    person.refresh_from_db()
    status.refresh_from_db()
    assert app.state == State.GRANTED
    assert (app.registration_number, app.registration_date, app.iin_assigned) == (
        "№ 512",
        TODAY() - datetime.timedelta(days=1),
        iin,
    )
    assert person.citizen_since == app.registration_date and person.iin == iin
    assert status.terminated_on == app.registration_date
    assert status.termination_reason == "citizenship"
    assert result.terminated_status == status and result.warnings == []


def test_grant_without_a_kandas_status_just_makes_a_citizen(db, caseworker):
    app = f.application(basis=Basis.BORN_IN_KAZAKHSTAN, state="under_review")
    _grant(app, caseworker)
    assert Person.objects.get(pk=app.person_id).citizen_since == TODAY()


def test_a_failing_status_termination_rolls_back_the_whole_grant(db, caseworker):
    """The status was issued after the decree date: status_terminate refuses, nothing is kept."""
    person = PersonFactory()
    status = KandasStatusFactory(person=person, issued_on=TODAY() - datetime.timedelta(days=2))
    app = f.application(
        person=person, basis=Basis.BORN_IN_KAZAKHSTAN, state="under_review",
        submitted_on=TODAY() - datetime.timedelta(days=20),
    )  # fmt: skip
    with pytest.raises(DomainError):
        _grant(app, caseworker, registration_date=TODAY() - datetime.timedelta(days=10))
    _unchanged(app, status)
    assert app.transitions.filter(to_state=State.GRANTED).count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failure_after_the_status_ended_leaves_both_unchanged_in_the_database(caseworker, monkeypatch):
    """Committed-state check: the status termination and the grant live or die together."""
    person, status = f.kandas()
    app = f.application(person=person, state="under_review")

    def broken_notify(**kwargs):
        if kwargs["event"] == "citizenship.granted":
            raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(services, "notify", broken_notify)
    with pytest.raises(RuntimeError):
        _grant(app, caseworker)
    _unchanged(app, status)


def test_grant_needs_every_required_document_verified(db, caseworker):
    person, status = f.kandas()
    app = f.application(person=person, state="submitted", documents=False)
    f.file_documents(app, doc_types=["application_form", "passport", "undertaking", "kandas_certificate"])
    f.file_documents(app, doc_types=["renunciation"], verified=False)
    services.application_start_review(application=app, actor=caseworker)
    with pytest.raises(DomainError) as exc:
        _grant(app, caseworker)
    assert exc.value.code == "documents_missing"
    from oralman.models import DocumentType

    assert str(DocumentType.RENUNCIATION.label) in str(exc.value.message)
    assert str(DocumentType.PASSPORT.label) not in str(exc.value.message)
    _unchanged(app, status)


def test_the_required_documents_depend_on_the_basis(db):
    assert "kandas_certificate" in services.required_doc_types(Basis.ORALMAN)
    assert "birth_certificate" in services.required_doc_types(Basis.BORN_IN_KAZAKHSTAN)
    for basis in Basis.values:
        assert "renunciation" in services.required_doc_types(basis)


def test_another_persons_document_cannot_be_filed(db, caseworker):
    app = f.application(state="submitted", documents=False)
    stranger_doc = Document.objects.create(person=PersonFactory(), doc_type="renunciation")
    with pytest.raises(DomainError) as exc:
        services.application_attach_document(application=app, document=stranger_doc, actor=caseworker)
    assert exc.value.field == "document"
    assert not app.filed_documents.exists()


@pytest.mark.parametrize(
    ("iin", "code"),
    [("12345", "iin_invalid"), ("900101300005", "iin_invalid"), ("901301300007", "iin_invalid")],
    ids=["too-short", "wrong-check-digit", "impossible-date"],
)
def test_an_iin_that_does_not_validate_is_refused(db, caseworker, iin, code):
    person, status = f.kandas()
    app = f.application(person=person, state="under_review")
    with pytest.raises(DomainError) as exc:
        _grant(app, caseworker, iin=iin)
    assert (exc.value.code, exc.value.field) == (code, "iin")
    _unchanged(app, status)


def test_an_iin_of_another_person_is_refused(db, caseworker):
    holder = PersonFactory(iin=unique_iin(datetime.date(1980, 5, 5), "M"))
    person, status = f.kandas(birth_date=datetime.date(1980, 5, 5))
    app = f.application(person=person, state="under_review")
    with pytest.raises(DomainError) as exc:
        _grant(app, caseworker, iin=holder.iin)
    assert exc.value.code == "iin_taken"
    assert str(holder.pk) in str(exc.value.message)
    _unchanged(app, status)


def test_an_iin_with_another_birth_date_or_sex_is_granted_with_a_warning(db, caseworker):
    person, _status = f.kandas(birth_date=datetime.date(1975, 3, 3), sex="F")
    app = f.application(person=person, state="under_review")
    iin = unique_iin(datetime.date(1975, 3, 4), "M")
    result = _grant(app, caseworker, iin=iin)
    assert len(result.warnings) == 2
    assert Person.objects.get(pk=person.pk).iin == iin


def test_the_persons_own_iin_is_kept_and_a_different_one_refused(db, caseworker):
    own = unique_iin(datetime.date(1985, 1, 2), "M")
    person, status = f.kandas(birth_date=datetime.date(1985, 1, 2), iin=own)
    app = f.application(person=person, state="under_review")
    with pytest.raises(DomainError) as exc:
        _grant(app, caseworker, iin=unique_iin(datetime.date(1985, 1, 2), "M"))
    assert exc.value.code == "iin_differs"
    _grant(app, caseworker, iin="")
    app.refresh_from_db()
    assert app.iin_assigned == own


def test_grant_needs_the_registering_body_a_registration_number_and_a_sensible_date(db, caseworker):
    app = f.application(state="under_review")
    with pytest.raises(DomainError) as exc:
        _grant(app, caseworker, registering_body="  ")
    assert exc.value.field == "registering_body"
    with pytest.raises(DomainError) as exc:
        _grant(app, caseworker, registration_number=" ")
    assert exc.value.field == "registration_number"
    with pytest.raises(DomainError) as exc:
        _grant(app, caseworker, registration_date=TODAY() + datetime.timedelta(days=1))
    assert exc.value.field == "registration_date"
    with pytest.raises(DomainError) as exc:
        _grant(app, caseworker, registration_date=app.submitted_on - datetime.timedelta(days=1))
    assert exc.value.field == "registration_date"


def test_the_database_refuses_a_grant_without_a_registration(db):
    app = f.application(state="under_review")
    with pytest.raises(IntegrityError), transaction.atomic():
        CitizenshipApplication.objects.filter(pk=app.pk).update(state="granted", decided_on=TODAY())
    with pytest.raises(IntegrityError, match="citizenship_grant_has_registration_and_iin"), transaction.atomic():
        CitizenshipApplication.objects.filter(pk=app.pk).update(
            state="granted", decided_on=TODAY(), registration_number="1", registration_date=TODAY(),
            iin_assigned=f.free_iin(app.person),
        )  # fmt: skip


def test_notifications_are_queued_for_each_decision(db, caseworker, monkeypatch):
    sent = []
    monkeypatch.setattr(services, "notify", lambda **kw: sent.append((kw["event"], kw["key"], kw["person"].pk)))
    granted = f.application(state="under_review")
    _grant(granted, caseworker)
    refused = f.application(state="refused")
    returned = f.application(state="returned")
    assert [e for e, _k, _p in sent] == [
        "citizenship.granted",
        "citizenship.refused",
        "citizenship.documents_requested",
    ]
    assert sent[0][2] == granted.person_id and sent[1][2] == refused.person_id and sent[2][2] == returned.person_id
    assert len({k for _e, k, _p in sent}) == 3


# --- One open application per person -------------------------------------------------------------


def test_a_second_open_application_is_refused_with_a_message(db, caseworker):
    app = f.application(state="returned")
    with pytest.raises(DomainError) as exc:
        services.application_submit(person=app.person, basis=Basis.ORALMAN, region=app.region, actor=caseworker)
    assert exc.value.field == "person"
    assert CitizenshipApplication.objects.filter(person=app.person).count() == 1


def test_the_database_allows_only_one_open_application_per_person(db):
    app = f.application(state="under_review")
    with pytest.raises(IntegrityError), transaction.atomic():
        CitizenshipApplication.objects.create(
            person=app.person, basis=Basis.GENERAL, region=app.region, submitted_on=TODAY(),
            decision_due=TODAY() + datetime.timedelta(days=90),
        )  # fmt: skip
    withdrawn = f.application(state="withdrawn")
    CitizenshipApplication.objects.create(
        person=withdrawn.person, basis=Basis.GENERAL, region=withdrawn.region, submitted_on=TODAY(),
        decision_due=TODAY() + datetime.timedelta(days=90),
    )  # fmt: skip


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_submissions_give_one_application(caseworker):
    person, _status = f.kandas()
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            services.application_submit(person=person, basis=Basis.ORALMAN, region=person.region, actor=caseworker)
            outcomes.append("ok")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert CitizenshipApplication.objects.filter(person=person).count() == 1


def test_the_oralman_basis_needs_a_kandas_status(db, caseworker):
    with pytest.raises(DomainError) as exc:
        services.application_submit(person=PersonFactory(), basis=Basis.ORALMAN, region=None, actor=caseworker)
    assert exc.value.field == "basis"


def test_a_citizen_cannot_apply(db, caseworker):
    app = f.application(state="granted")
    with pytest.raises(DomainError) as exc:
        services.application_submit(person=app.person, basis=Basis.GENERAL, region=app.region, actor=caseworker)
    assert exc.value.field == "person"
    assert KandasStatus.objects.filter(person=app.person, terminated_on__isnull=True).count() == 0
