"""Jobs are outbox rows first: a broker outage delays the work, never fails the request or strands
a row; a run whose worker failed or died is resumed from where it stopped (issue 15)."""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError

from core.models import ReportExport
from core.services import report_exports_dispatch
from notifications.models import Notification
from quotas import services
from quotas.models import AllocationRun, QuotaRequest
from tests.jobs.conftest import broker_down
from tests.notifications.conftest import wait_until
from tests.quotas.factories import file_request, make_year

worker_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _year_with_requests(shares=None, per_region=4):
    shares = shares or {"pavlodar": 3, "akmola": 2, "abai": 2}
    year = make_year(shares=shares)
    minute = 0
    for code in shares:
        for _ in range(per_region):
            file_request(year, region=code, minutes=minute)
            minute += 1
    return year


def _decision_notices(year) -> dict[int, int]:
    """Request id -> number of allocated/waitlisted notices it has."""
    counts = {}
    for request in QuotaRequest.objects.filter(quota_year=year, state__in=["allocated", "waitlisted"]):
        counts[request.pk] = Notification.objects.filter(
            event__in=["quota.allocated", "quota.waitlisted"], key__startswith=f"quota-request-{request.pk}-"
        ).count()
    return counts


# --- The broker down during a request ----------------------------------------------------------


@worker_db
def test_an_allocation_start_with_the_broker_down_answers_at_once_and_runs_after_the_dispatcher(
    celery_worker_thread, closed_port_broker, administrator, client
):
    year = _year_with_requests()
    client.force_login(administrator)
    with broker_down(closed_port_broker):
        started = time.monotonic()
        response = client.post("/api/v1/allocation-runs/", {"quota_year": year.pk}, content_type="application/json")
        elapsed = time.monotonic() - started
    assert response.status_code == 202, response.content
    assert elapsed < 1.0, f"the request waited {elapsed:.2f} s for the broker"
    run = AllocationRun.objects.get(pk=response.json()["id"])
    assert (run.status, run.dispatched_at) == ("queued", None)

    # The broker is back: the dispatcher (beat) publishes the run, the worker does it and notifies.
    assert services.allocation_runs_dispatch()["runs"] == [run.pk]
    wait_until(lambda: AllocationRun.objects.get(pk=run.pk).status == "done")
    run.refresh_from_db()
    assert run.dispatched_at is not None and run.attempts == 1
    wait_until(lambda: AllocationRun.objects.get(pk=run.pk).notified_at is not None)
    assert set(_decision_notices(year).values()) == {1}
    assert not QuotaRequest.objects.filter(quota_year=year, state="pending").exists()


@worker_db
def test_an_export_with_the_broker_down_answers_at_once_and_is_made_after_the_dispatcher(
    celery_worker_thread, closed_port_broker, administrator, client, regions_report
):
    client.force_login(administrator)
    with broker_down(closed_port_broker):
        started = time.monotonic()
        response = client.post(
            f"/api/v1/reports/{regions_report.slug}/exports/", {"format": "csv"}, content_type="application/json"
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 202, response.content
    assert elapsed < 1.0, f"the request waited {elapsed:.2f} s for the broker"
    export = ReportExport.objects.get(pk=response.json()["id"])
    assert (export.state, export.dispatched_at) == ("pending", None)

    assert report_exports_dispatch() == [export.pk]
    wait_until(lambda: ReportExport.objects.get(pk=export.pk).state == "done")
    assert report_exports_dispatch() == []  # delivered: nothing left to publish


@pytest.mark.django_db
def test_the_dispatcher_leaves_a_confirmed_run_alone_until_its_message_is_overdue(administrator, settings):
    year = _year_with_requests()
    run = AllocationRun.objects.create(quota_year=year, requested_by=administrator, oversize_rule=year.oversize_rule)
    from django.utils import timezone

    AllocationRun.objects.filter(pk=run.pk).update(dispatched_at=timezone.now())
    assert services.allocation_runs_dispatch()["runs"] == []
    later = timezone.now() + timezone.timedelta(seconds=settings.JOBS_REPUBLISH_AFTER_SECONDS + 1)
    assert services.allocation_runs_dispatch(now=later)["runs"] == [run.pk]  # the broker lost it: again


# --- A run that failed or whose worker died ---------------------------------------------------


def _fail_in_second_region(monkeypatch):
    """The worker's database connection is lost while it decides the second region."""
    real = services._decide_region
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(services, "_decide_region", flaky)
    return calls


@pytest.mark.django_db
def test_a_run_that_lost_its_connection_mid_run_is_resumed_from_where_it_stopped(administrator, monkeypatch):
    year = _year_with_requests()
    run = AllocationRun.objects.create(quota_year=year, requested_by=administrator, oversize_rule=year.oversize_rule)
    calls = _fail_in_second_region(monkeypatch)
    with pytest.raises(OperationalError):
        services.allocation_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.regions_done, len(run.done_share_ids)) == ("failed", 1, 1)
    monkeypatch.undo()

    counted = {"n": 0}
    real = services._decide_region

    def counting(**kwargs):
        counted["n"] += 1
        return real(**kwargs)

    monkeypatch.setattr(services, "_decide_region", counting)
    assert services.allocation_runs_dispatch()["runs"] == [run.pk]  # eager here: resumed in place
    run.refresh_from_db()
    assert (run.status, run.attempts, run.regions_done, run.regions_total) == ("done", 2, 3, 3)
    assert counted["n"] == 2, "the region decided before the failure is not decided again"
    assert calls["n"] == 2
    # The counters count what was decided, across both attempts.
    assert run.allocated == QuotaRequest.objects.filter(quota_year=year, state="allocated").count()
    assert run.waitlisted == QuotaRequest.objects.filter(quota_year=year, state="waitlisted").count()


@pytest.mark.django_db
def test_a_run_stranded_in_running_is_resumed_and_every_decided_family_is_notified_exactly_once(
    administrator, monkeypatch
):
    year = _year_with_requests()
    run = AllocationRun.objects.create(quota_year=year, requested_by=administrator, oversize_rule=year.oversize_rule)
    _fail_in_second_region(monkeypatch)
    with pytest.raises(OperationalError):
        services.allocation_run_execute(run_id=run.pk)
    monkeypatch.undo()
    # A SIGKILL leaves the row "running" (nobody wrote "failed"); its worker's lock died with it.
    AllocationRun.objects.filter(pk=run.pk).update(status="running")
    decided_before = set(QuotaRequest.objects.filter(quota_year=year, decided_by_run=run).values_list("pk", flat=True))
    assert decided_before

    for _ in range(3):  # the dispatcher runs every minute; running it again changes nothing
        services.allocation_runs_dispatch()
        for done in AllocationRun.objects.filter(status="done", notified_at__isnull=True):
            services.notify_run_decisions(run_id=done.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 2)
    notices = _decision_notices(year)
    assert decided_before <= set(notices)
    assert set(notices.values()) == {1}, notices
    assert len(notices) == QuotaRequest.objects.filter(quota_year=year).count()


@pytest.mark.django_db
def test_families_decided_by_a_failed_run_are_told_when_a_new_run_finishes_the_job(administrator, monkeypatch):
    year = _year_with_requests()
    failed = AllocationRun.objects.create(quota_year=year, requested_by=administrator, oversize_rule=year.oversize_rule)
    _fail_in_second_region(monkeypatch)
    with pytest.raises(OperationalError):
        services.allocation_run_execute(run_id=failed.pk)
    monkeypatch.undo()
    AllocationRun.objects.filter(pk=failed.pk).update(attempts=99)  # given up on, not resumed

    fresh = AllocationRun.objects.create(quota_year=year, requested_by=administrator, oversize_rule=year.oversize_rule)
    services.allocation_run_execute(run_id=fresh.pk)
    services.notify_run_decisions(run_id=fresh.pk)
    services.notify_run_decisions(run_id=fresh.pk)
    notices = _decision_notices(year)
    assert QuotaRequest.objects.filter(quota_year=year, decided_by_run=failed).exists()
    assert len(notices) == QuotaRequest.objects.filter(quota_year=year).count()
    assert set(notices.values()) == {1}


@worker_db
def test_a_run_held_by_a_live_worker_is_neither_republished_nor_taken_over(administrator):
    from django.db import connections

    year = _year_with_requests()
    run = AllocationRun.objects.create(quota_year=year, requested_by=administrator, oversize_rule=year.oversize_rule)
    AllocationRun.objects.filter(pk=run.pk).update(status="running")
    worker = connections.create_connection("default")  # the live worker's own connection
    try:
        with worker.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [services.RUN_LOCK_CLASS, run.pk])
        assert services.allocation_runs_dispatch()["runs"] == []
        assert services.allocation_run_execute(run_id=run.pk).attempts == 0
    finally:
        worker.close()
    # The worker's connection ended (killed): now the run is orphaned and resumed.
    assert services.allocation_runs_dispatch()["runs"] == [run.pk]
    assert AllocationRun.objects.get(pk=run.pk).status == "done"


@pytest.mark.django_db
def test_a_worker_whose_run_was_taken_over_stops_without_writing(administrator):
    year = _year_with_requests()
    run = AllocationRun.objects.create(quota_year=year, requested_by=administrator, oversize_rule=year.oversize_rule)

    def taken_over_after_first_region(current):
        if current.regions_done == 1:  # another worker claimed the run (presumed this one dead)
            AllocationRun.objects.filter(pk=current.pk).update(attempts=current.attempts + 1)

    result = services.allocation_run_execute(run_id=run.pk, on_progress=taken_over_after_first_region)
    assert (result.status, result.regions_done, result.attempts) == ("running", 1, 2)
    assert QuotaRequest.objects.filter(quota_year=year, state="pending").count() == 8  # two regions untouched


# --- Staff resume a run the dispatcher gave up on ------------------------------------------------


@worker_db
def test_an_administrator_resumes_a_failed_run_past_its_attempts_from_the_admin(
    celery_worker_thread, administrator, client, monkeypatch, settings
):
    year = _year_with_requests()
    run = AllocationRun.objects.create(quota_year=year, requested_by=administrator, oversize_rule=year.oversize_rule)
    _fail_in_second_region(monkeypatch)
    with pytest.raises(OperationalError):
        services.allocation_run_execute(run_id=run.pk)
    monkeypatch.undo()
    AllocationRun.objects.filter(pk=run.pk).update(attempts=settings.ALLOCATION_RUN_MAX_ATTEMPTS)
    assert services.allocation_runs_dispatch()["runs"] == []  # the dispatcher has given up on it

    client.force_login(administrator)
    page = client.get(f"/admin/quotas/allocationrun/{run.pk}/change/")
    assert f"/admin/quotas/allocationrun/{run.pk}/resume/".encode() in page.content
    response = client.post(f"/admin/quotas/allocationrun/{run.pk}/resume/")
    assert response.status_code == 302
    wait_until(lambda: AllocationRun.objects.get(pk=run.pk).status == "done")
    run.refresh_from_db()
    assert (run.regions_done, run.regions_total) == (3, 3)
    assert run.allocated == QuotaRequest.objects.filter(quota_year=year, state="allocated").count()
    wait_until(lambda: AllocationRun.objects.get(pk=run.pk).notified_at is not None)
    assert set(_decision_notices(year).values()) == {1}


@pytest.mark.django_db
def test_a_run_that_is_done_or_held_by_a_live_worker_is_not_resumed(administrator, caseworker):
    from core.errors import DomainError

    year = _year_with_requests()
    run = AllocationRun.objects.create(quota_year=year, requested_by=administrator, oversize_rule=year.oversize_rule)
    services.allocation_run_execute(run_id=run.pk)
    with pytest.raises(DomainError):
        services.allocation_run_resume(run=run, actor=administrator)
    AllocationRun.objects.filter(pk=run.pk).update(status="failed")
    from core.authz import NotAllowed

    with pytest.raises(NotAllowed):
        services.allocation_run_resume(run=run, actor=caseworker)  # not allowed to start runs
    services.allocation_run_resume(run=run, actor=administrator)  # failed: resumed


@worker_db
def test_a_grant_with_the_broker_down_answers_at_once_and_its_notice_is_delivered_after(
    celery_worker_thread, closed_port_broker, caseworker, client
):
    from notifications import sms
    from notifications.tasks import sweep_outbox_task
    from tests.notifications.factories import SmsPersonFactory
    from tests.notifications.test_outbox import _application_under_review

    person = SmsPersonFactory()
    application = _application_under_review(person)
    client.force_login(caseworker)
    with broker_down(closed_port_broker):
        started = time.monotonic()
        response = client.post(
            f"/api/v1/status-applications/{application.pk}/grant/", {}, content_type="application/json"
        )
        elapsed = time.monotonic() - started
    assert response.status_code in (200, 201), response.content
    assert elapsed < 1.0, f"the grant waited {elapsed:.2f} s for the broker"
    notice = Notification.objects.get(event="status.granted", person=person)
    assert notice.state == Notification.State.PENDING and sms.outbox == []

    # The broker is back: the sweeper (beat, every minute) hands the notice to the worker.
    assert sweep_outbox_task.delay().get(timeout=20) == 1
    wait_until(lambda: Notification.objects.get(pk=notice.pk).state == Notification.State.SENT)
    assert [m.to for m in sms.outbox] == [person.phone]
