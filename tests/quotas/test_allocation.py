"""The pure algorithm: order, ties, capacity and the rule for a family larger than the places left."""

import datetime

from quotas.allocation import NO_CATEGORY_RANK, Candidate, Outcome, Rule, allocate, allocate_region

T = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)


def c(id, places=1, priority=NO_CATEGORY_RANK, minutes=0, region=1, held=False, category=None):
    return Candidate(id=id, region_id=region, places=places, priority=priority,
                     submitted_at=T + datetime.timedelta(minutes=minutes), category_id=category, holds_places=held)  # fmt: skip


def outcomes(decisions):
    return {d.id: d.outcome for d in decisions}


def test_higher_priority_category_goes_first_even_if_submitted_later():
    decisions = allocate_region([c(1, minutes=0), c(2, priority=1, minutes=50)], capacity=1, rule=Rule.STRICT_ORDER)
    assert outcomes(decisions) == {2: Outcome.ALLOCATED, 1: Outcome.WAITLISTED}
    assert [d.id for d in decisions] == [2, 1]
    assert [d.rank for d in decisions] == [1, 2]


def test_same_category_ties_go_to_the_earlier_submission():
    decisions = allocate_region(
        [c(1, priority=2, minutes=5), c(2, priority=2, minutes=1)], capacity=1, rule="strict_order"
    )
    assert outcomes(decisions)[2] == Outcome.ALLOCATED


def test_same_category_and_time_ties_go_to_the_lower_request_number():
    decisions = allocate_region([c(9, priority=2), c(4, priority=2), c(7, priority=2)], capacity=2, rule="strict_order")
    assert [(d.id, d.outcome) for d in decisions] == [
        (4, Outcome.ALLOCATED), (7, Outcome.ALLOCATED), (9, Outcome.WAITLISTED),
    ]  # fmt: skip


def test_the_order_does_not_depend_on_the_input_order():
    rows = [c(i, priority=i % 3 + 1, minutes=i % 5, places=i % 4 + 1) for i in range(1, 60)]
    first = allocate_region(rows, capacity=40, rule="skip_to_fitting")
    second = allocate_region(list(reversed(rows)), capacity=40, rule="skip_to_fitting")
    assert first == second


def test_places_are_allocated_until_the_share_is_used_and_never_beyond():
    rows = [c(i, places=3, minutes=i) for i in range(1, 11)]
    decisions = allocate_region(rows, capacity=10, rule="strict_order")
    allocated = [d for d in decisions if d.outcome == Outcome.ALLOCATED]
    assert len(allocated) == 3  # 9 of 10 places
    assert [d.waitlist_position for d in decisions if d.outcome == Outcome.WAITLISTED] == list(range(1, 8))


def test_strict_order_stops_at_a_family_larger_than_the_places_left():
    rows = [c(1, places=3, minutes=1), c(2, places=3, minutes=2), c(3, places=1, minutes=3)]
    assert outcomes(allocate_region(rows, capacity=4, rule=Rule.STRICT_ORDER)) == {
        1: Outcome.ALLOCATED, 2: Outcome.WAITLISTED, 3: Outcome.WAITLISTED,
    }  # fmt: skip


def test_skip_rule_lets_a_smaller_family_behind_take_the_places_left():
    rows = [c(1, places=3, minutes=1), c(2, places=3, minutes=2), c(3, places=1, minutes=3)]
    decisions = allocate_region(rows, capacity=4, rule=Rule.SKIP_TO_FITTING)
    assert outcomes(decisions) == {1: Outcome.ALLOCATED, 2: Outcome.WAITLISTED, 3: Outcome.ALLOCATED}
    assert {d.id: d.waitlist_position for d in decisions} == {1: None, 2: 1, 3: None}


def test_families_holding_places_keep_them_and_count_against_the_share():
    rows = [c(1, places=2, held=True, minutes=9), c(2, places=2, priority=1), c(3, places=1, minutes=1)]
    decisions = allocate_region(rows, capacity=3, rule="strict_order")
    assert outcomes(decisions) == {2: Outcome.WAITLISTED, 3: Outcome.WAITLISTED, 1: Outcome.HELD}
    assert [d.rank for d in decisions] == [1, 2, 3]


def test_the_deciding_category_is_recorded_on_the_decision():
    (decision,) = allocate_region([c(1, priority=1, category=77)], capacity=1, rule="strict_order")
    assert decision.category_id == 77


def test_regions_are_decided_separately_with_their_own_shares():
    rows = [c(1, region=1), c(2, region=1, minutes=1), c(3, region=2), c(4, region=3)]
    result = allocate(rows, capacity={1: 1, 2: 5}, rule="strict_order")
    assert outcomes(result[1]) == {1: Outcome.ALLOCATED, 2: Outcome.WAITLISTED}
    assert outcomes(result[2]) == {3: Outcome.ALLOCATED}
    assert outcomes(result[3]) == {4: Outcome.WAITLISTED}  # no share, no places
