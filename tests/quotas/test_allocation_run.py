"""The allocation job on PostgreSQL: order, capacity, explanation, idempotency, guards, promotion."""

import pytest
from django.db import IntegrityError, transaction

from core.errors import DomainError
from notifications.models import Notification
from quotas import services
from quotas.models import AllocationRun, QuotaRequest, RegionalQuota
from tests.quotas.factories import category, file_request, make_year


def run_once(year, actor=None, region=None):
    """Start and execute a run in place (the on-commit task does not run inside a test transaction)."""
    run = services.allocation_run_start(quota_year=year, actor=actor, region=region)
    return services.allocation_run_execute(run_id=run.pk)


def states(year):
    return dict(QuotaRequest.objects.filter(quota_year=year).values_list("pk", "state"))


def decisions(year):
    return list(
        QuotaRequest.objects.filter(quota_year=year)
        .order_by("pk")
        .values_list("pk", "state", "rank", "waitlist_position", "deciding_category_id", "decided_by_run_id")
    )


@pytest.mark.django_db
def test_priority_categories_go_first_and_the_family_counts_under_its_highest(administrator):
    year = make_year(shares={"pavlodar": 2})
    plain = file_request(year, minutes=0)
    specialist = file_request(year, minutes=10, categories=["shortage-specialist"])
    both = file_request(year, minutes=20, categories=["temporary-center", "disabled-member"])
    run = run_once(year, administrator)
    assert states(year) == {plain.pk: "waitlisted", specialist.pk: "allocated", both.pk: "allocated"}
    both.refresh_from_db()
    assert (both.rank, both.deciding_category, both.decided_by_run_id) == (1, category("disabled-member"), run.pk)
    plain.refresh_from_db()
    assert (plain.rank, plain.waitlist_position, plain.deciding_category) == (3, 1, None)


@pytest.mark.django_db
def test_ties_go_to_the_earlier_submission_then_the_lower_number(administrator):
    year = make_year(shares={"pavlodar": 2})
    late = file_request(year, minutes=5)
    first_same_time = file_request(year, minutes=1)
    second_same_time = file_request(year, minutes=1)
    run_once(year, administrator)
    ranks = dict(QuotaRequest.objects.filter(quota_year=year).values_list("pk", "rank"))
    assert ranks == {first_same_time.pk: 1, second_same_time.pk: 2, late.pk: 3}
    assert states(year)[late.pk] == "waitlisted"


@pytest.mark.django_db
def test_a_region_is_filled_in_persons_up_to_its_share_and_the_rest_waits(administrator):
    year = make_year(shares={"pavlodar": 10, "akmola": 3})
    for i in range(6):
        file_request(year, size=3, minutes=i)
    file_request(year, region="akmola", size=2)
    run = run_once(year, administrator)
    shares = dict(RegionalQuota.objects.filter(quota_year=year).values_list("region__code", "used"))
    assert shares == {"pavlodar": 9, "akmola": 2}
    assert (run.status, run.allocated, run.waitlisted, run.regions_done, run.regions_total) == ("done", 4, 3, 2, 2)
    positions = QuotaRequest.objects.filter(quota_year=year, state="waitlisted").order_by("rank")
    assert [r.waitlist_position for r in positions] == [1, 2, 3]


@pytest.mark.django_db
def test_a_family_unit_year_counts_one_place_per_family(administrator):
    year = make_year(shares={"pavlodar": 2}, unit="families")
    requests = [file_request(year, size=5, minutes=i) for i in range(3)]
    assert {r.places for r in requests} == {1}
    run_once(year, administrator)
    assert sorted(states(year).values()) == ["allocated", "allocated", "waitlisted"]


@pytest.mark.django_db
def test_skip_rule_year_lets_a_smaller_family_take_the_places_left(administrator):
    year = make_year(shares={"pavlodar": 4}, rule="skip_to_fitting")
    big_first = file_request(year, size=3, minutes=0)
    big_second = file_request(year, size=3, minutes=1)
    small = file_request(year, size=1, minutes=2)
    run_once(year, administrator)
    assert states(year) == {big_first.pk: "allocated", big_second.pk: "waitlisted", small.pk: "allocated"}


@pytest.mark.django_db
def test_running_the_job_twice_gives_the_same_result_and_changes_nothing(administrator):
    year = make_year(shares={"pavlodar": 7, "akmola": 4})
    for i in range(12):
        file_request(year, size=i % 3 + 1, minutes=i, region="pavlodar" if i % 2 else "akmola",
                     categories=["large-family"] if i % 5 == 0 else [])  # fmt: skip
    run_once(year, administrator)
    first = decisions(year)
    second_run = run_once(year, administrator)
    assert decisions(year) == first
    assert second_run.changed == 0


@pytest.mark.django_db
def test_executing_a_finished_run_again_is_a_no_op(administrator):
    year = make_year(shares={"pavlodar": 1})
    file_request(year)
    run = run_once(year, administrator)
    again = services.allocation_run_execute(run_id=run.pk)
    assert (again.attempts, again.status) == (1, "done")


@pytest.mark.django_db
def test_a_region_only_run_leaves_other_regions_pending(administrator, region):
    year = make_year(shares={"pavlodar": 5, "akmola": 5})
    mine = file_request(year)
    other = file_request(year, region="akmola")
    run_once(year, administrator, region=region)
    assert states(year) == {mine.pk: "allocated", other.pk: "pending"}


@pytest.mark.django_db
def test_the_database_never_lets_a_region_allocate_beyond_its_share():
    year = make_year(shares={"pavlodar": 3})
    for i in range(4):
        file_request(year, minutes=i)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaRequest.objects.filter(quota_year=year).update(state="allocated")
    assert RegionalQuota.objects.get(quota_year=year).used == 0


@pytest.mark.django_db
def test_used_places_follow_every_state_change():
    year = make_year(shares={"pavlodar": 10})
    request = file_request(year, size=3)
    share = RegionalQuota.objects.get(quota_year=year)
    for state, used in [("allocated", 3), ("settled", 3), ("declined", 0)]:
        QuotaRequest.objects.filter(pk=request.pk).update(state=state)
        share.refresh_from_db()
        assert share.used == used


@pytest.mark.django_db
def test_a_run_cannot_start_for_a_closed_year(administrator):
    year = make_year(shares={"pavlodar": 3}, is_open=False)
    with pytest.raises(DomainError):
        services.allocation_run_start(quota_year=year, actor=administrator)
    assert not AllocationRun.objects.filter(quota_year=year).exists()


# --- Declines, releases and promotion ------------------------------------------------------------


@pytest.mark.django_db
def test_a_decline_promotes_the_first_waitlisted_family_and_notifies_it(administrator, caseworker):
    year = make_year(shares={"pavlodar": 2})
    allocated = file_request(year, size=2, minutes=0)
    first_in_line = file_request(year, size=2, minutes=1)
    second_in_line = file_request(year, size=2, minutes=2)
    run_once(year, administrator)

    services.quota_request_decline(request=allocated, actor=caseworker, reason="decided to stay")

    assert states(year) == {allocated.pk: "declined", first_in_line.pk: "allocated", second_in_line.pk: "waitlisted"}
    promoted = QuotaRequest.objects.get(pk=first_in_line.pk)
    assert promoted.decided_by_run.kind == "promotion"
    assert QuotaRequest.objects.get(pk=second_in_line.pk).waitlist_position == 1
    assert list(Notification.objects.filter(event="quota.promoted").values_list("person_id", flat=True)) == [
        promoted.family.head_id
    ]


@pytest.mark.django_db
def test_the_families_decided_by_a_run_are_told_once(administrator):
    year = make_year(shares={"pavlodar": 1})
    allocated = file_request(year, minutes=0)
    waiting = file_request(year, minutes=1)
    run = run_once(year, administrator)
    assert services.notify_run_decisions(run_id=run.pk) == 2
    services.notify_run_decisions(run_id=run.pk)  # again: the keys make it a no-op
    sent = set(Notification.objects.values_list("event", "person_id"))
    assert sent == {("quota.allocated", allocated.family.head_id), ("quota.waitlisted", waiting.family.head_id)}


@pytest.mark.django_db
def test_a_release_needs_a_reason_and_promotes_the_waiting_line(administrator, caseworker):
    year = make_year(shares={"pavlodar": 1})
    allocated = file_request(year, minutes=0)
    waiting = file_request(year, minutes=1)
    run_once(year, administrator)
    with pytest.raises(DomainError):
        services.quota_request_release(request=allocated, actor=caseworker, reason=" ")
    services.quota_request_release(request=allocated, actor=caseworker, reason="did not arrive by the deadline")
    assert states(year) == {allocated.pk: "released", waiting.pk: "allocated"}


@pytest.mark.django_db
def test_promotion_does_not_pass_over_pending_requests_order_but_leaves_them_for_the_next_run(
    administrator, caseworker
):
    year = make_year(shares={"pavlodar": 1})
    allocated = file_request(year, minutes=0)
    waiting = file_request(year, minutes=1)
    run_once(year, administrator)
    newcomer = file_request(year, minutes=2, categories=["disabled-member"])
    services.quota_request_decline(request=allocated, actor=caseworker)
    assert states(year)[waiting.pk] == "allocated"
    assert states(year)[newcomer.pk] == "pending"


@pytest.mark.django_db
def test_in_a_strict_order_year_a_freed_place_too_small_for_the_first_family_waits(administrator, caseworker):
    year = make_year(shares={"pavlodar": 3})
    small = file_request(year, size=1, minutes=0)
    big = file_request(year, size=2, minutes=1)
    tiny = file_request(year, size=3, minutes=2)
    run_once(year, administrator)
    assert states(year) == {small.pk: "allocated", big.pk: "allocated", tiny.pk: "waitlisted"}
    services.quota_request_decline(request=small, actor=caseworker)
    assert states(year)[tiny.pk] == "waitlisted"  # 1 place free, the family needs 3


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["declined", "released", "settled"])
def test_a_closed_request_cannot_be_declined_again(administrator, caseworker, state):
    year = make_year(shares={"pavlodar": 1})
    request = file_request(year)
    QuotaRequest.objects.filter(pk=request.pk).update(state=state)
    with pytest.raises(DomainError) as exc:
        services.quota_request_decline(request=request, actor=caseworker)
    assert exc.value.code == "illegal_transition"


@pytest.mark.django_db
def test_the_nightly_job_gives_released_places_to_the_line_and_decides_new_requests(administrator, caseworker):
    year = make_year(shares={"pavlodar": 2})
    a = file_request(year, minutes=0)
    b = file_request(year, minutes=1)
    run_once(year, administrator)
    c = file_request(year, minutes=2)
    QuotaRequest.objects.filter(pk=a.pk).update(state="released", rank=None)  # freed outside the service
    runs = services.reallocate_open_years()
    assert any(r.quota_year_id == year.pk and r.kind == "scheduled" for r in runs)
    assert states(year) == {a.pk: "released", b.pk: "allocated", c.pk: "allocated"}


@pytest.mark.django_db
@pytest.mark.parametrize("rule", ["strict_order", "skip_to_fitting"])
def test_the_job_agrees_with_the_pure_algorithm_on_mixed_data(administrator, rule):
    import random

    from quotas import allocation

    rng = random.Random(4)
    year = make_year(shares={"pavlodar": 17, "akmola": 9}, rule=rule)
    codes = ["disabled-member", "large-family", "shortage-specialist", "temporary-center"]
    for _ in range(40):
        file_request(year, region=rng.choice(["pavlodar", "akmola"]), size=rng.randint(1, 4),
                     minutes=rng.randint(0, 5), categories=rng.sample(codes, rng.randint(0, 2)))  # fmt: skip
    run_once(year, administrator)
    candidates = []
    for r in QuotaRequest.objects.filter(quota_year=year).prefetch_related("categories"):
        best = min(r.categories.all(), key=lambda c: c.rank, default=None)
        candidates.append(
            allocation.Candidate(id=r.pk, region_id=r.region_id, places=r.places, submitted_at=r.submitted_at,
                                 priority=best.rank if best else allocation.NO_CATEGORY_RANK,
                                 category_id=best.pk if best else None)
        )  # fmt: skip
    capacity = dict(RegionalQuota.objects.filter(quota_year=year).values_list("region_id", "places"))
    expected = {
        d.id: (str(d.outcome), d.rank, d.waitlist_position, d.category_id)
        for ds in allocation.allocate(candidates, capacity=capacity, rule=rule).values() for d in ds
    }  # fmt: skip
    actual = {
        pk: rest
        for pk, *rest in QuotaRequest.objects.filter(quota_year=year).values_list(
            "pk", "state", "rank", "waitlist_position", "deciding_category_id"
        )
    }
    assert {k: tuple(v) for k, v in actual.items()} == expected
