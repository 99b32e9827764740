"""The audit trail cannot be erased: every event table refuses UPDATE and DELETE at the database
level, also for raw SQL of the application's own role; TRUNCATE (test flushes) still works."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from pghistory.models import Context, Event

from audit.models import ReadAlert, ReadLogEntry
from oralman import services
from tests.factories import PersonFactory

PersonEvent = apps.get_model("oralman", "PersonEvent")


def _event_models():
    return [m for m in apps.get_models() if issubclass(m, Event) and not m._meta.abstract and not m._meta.proxy]


def _person_event(caseworker):
    person = PersonFactory(profession="")
    services.person_update(person=person, actor=caseworker, profession="teacher")
    return PersonEvent.objects.filter(pgh_obj=person)


def _refused(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except DatabaseError:
        return True
    return False


@pytest.mark.django_db
def test_every_event_table_has_the_append_only_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE 'pgtrigger_append_only_%%' AND t.tgenabled = 'O'"
        )
        protected = {row[0] for row in cursor.fetchall()}
    tables = {m._meta.db_table for m in _event_models()}
    assert len(tables) >= 15
    assert tables <= protected, tables - protected
    assert ReadLogEntry._meta.db_table in protected


@pytest.mark.django_db
def test_deleting_events_through_the_orm_is_refused(caseworker):
    events = _person_event(caseworker)
    assert _refused(lambda: events.delete())
    assert events.count() == 2


@pytest.mark.django_db
def test_updating_events_through_the_orm_is_refused(caseworker):
    events = _person_event(caseworker)
    assert _refused(lambda: events.update(profession="forged"))
    assert _refused(lambda: events.update(pgh_context=None))
    assert not events.filter(profession="forged").exists()


@pytest.mark.django_db
def test_raw_sql_of_the_application_role_cannot_delete_or_rewrite_events(caseworker):
    table = _person_event(caseworker).model._meta.db_table

    def run(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    assert _refused(lambda: run(f"DELETE FROM {table}"))
    assert _refused(lambda: run(f"UPDATE {table} SET profession = 'forged'"))


@pytest.mark.django_db
def test_the_context_holding_the_actor_cannot_be_deleted(caseworker):
    _person_event(caseworker)
    assert Context.objects.exists()
    assert _refused(lambda: Context.objects.all().delete())


@pytest.mark.django_db
def test_read_log_rows_and_alerts_cannot_be_deleted(caseworker):
    from core.audit import log_read

    person = PersonFactory()
    log_read(caseworker, person, kind="person")
    assert _refused(lambda: ReadLogEntry.objects.all().delete())
    assert _refused(lambda: ReadLogEntry.objects.update(path="/elsewhere/"))
    from django.utils import timezone

    ReadAlert.objects.create(user=caseworker, window_start=timezone.now(), persons_count=51, threshold=50)
    assert _refused(lambda: ReadAlert.objects.all().delete())


@pytest.mark.django_db(transaction=True)
def test_flushing_the_tables_after_a_transactional_test_still_works(caseworker):
    """The teardown of this test TRUNCATEs every table: row triggers do not fire on TRUNCATE."""
    _person_event(caseworker)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {PersonEvent._meta.db_table}")
    assert not PersonEvent.objects.exists()
