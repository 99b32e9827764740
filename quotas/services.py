"""Every change to the quota goes through these functions (admin, API and tasks alike).

The allocation job is set-based: per region, one query computes each request's deciding category
in the database, `quotas.allocation` walks the ordered rows, and one UPDATE ... FROM unnest(...)
writes only the rows whose decision changed. Each region is decided in its own transaction that
first locks the region's share row (SELECT ... FOR UPDATE): runs, promotions and declines of one
region are serialised, and a run killed half-way leaves whole regions decided or untouched, so
running it again finishes the job. The database bounds a region's allocations by its share
(RegionalQuota.used, kept by triggers, under a CHECK), whatever the code does.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import authz
from core.audit import acting
from core.errors import DomainError
from core.jobs import publish
from core.scoping import allowed_region_ids
from core.transitions import Moves, StateMachine
from notifications.services import notify
from oralman.models import Family
from oralman.services import active_status_of, family_size
from quotas import allocation
from quotas.models import (
    MAX_QUOTA_PLACES,
    NO_CATEGORY_RANK,
    AllocationRun,
    BenefitInstalment,
    BenefitKind,
    BenefitRates,
    HousingCertificateMode,
    MciValue,
    OversizeRule,
    PriorityCategory,
    QuotaRequest,
    QuotaUnit,
    QuotaYear,
    RegionalQuota,
    RequestState,
)

logger = logging.getLogger(__name__)
R = RequestState

# The one table of legal moves of a quota request. Anything not listed here cannot happen.
LEGAL_TRANSITIONS: Moves = {
    R.PENDING: {R.ALLOCATED, R.WAITLISTED, R.DECLINED},
    R.WAITLISTED: {R.ALLOCATED, R.WAITLISTED, R.DECLINED},
    R.ALLOCATED: {R.DECLINED, R.RELEASED, R.SETTLED},
    R.SETTLED: set(),
    R.DECLINED: set(),
    R.RELEASED: set(),
}


def _constraint_error(exc: IntegrityError) -> str:
    cause = getattr(exc, "__cause__", None)
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", "") or ""


# --- The year and its split -------------------------------------------------------------------


def _check_positive(value, field: str) -> int:
    if value is None or int(value) <= 0:
        raise DomainError(_("A quota must be a positive number of places."), field=field)
    if int(value) > MAX_QUOTA_PLACES:
        raise DomainError(
            _("A quota cannot exceed %(max)s places.") % {"max": f"{MAX_QUOTA_PLACES:,}".replace(",", " ")},
            field=field,
        )
    return int(value)


@transaction.atomic
def quota_year_create(
    *,
    year: int,
    unit: str,
    national_total: int,
    actor,
    act_title: str = "",
    act_number: str = "",
    act_date: datetime.date | None = None,
    is_open: bool = False,
    oversize_rule: str = OversizeRule.STRICT_ORDER,
) -> QuotaYear:
    """Record the quota set for a year by its legal act."""
    authz.authorize_actor(actor, authz.ADD, QuotaYear)
    national_total = _check_positive(national_total, "national_total")
    if unit not in QuotaUnit.values:
        raise DomainError(_("Choose whether the quota is counted in families or in persons."), field="unit")
    if oversize_rule not in OversizeRule.values:
        raise DomainError(_("Choose a rule for a family larger than the places left."), field="oversize_rule")
    if QuotaYear.objects.filter(year=year).exists():
        raise DomainError(_("The quota for %(year)s is already recorded.") % {"year": year}, field="year")
    with acting(actor):
        return QuotaYear.objects.create(
            year=year, unit=unit, national_total=national_total, act_title=act_title, act_number=act_number,
            act_date=act_date, is_open=is_open, oversize_rule=oversize_rule,
        )  # fmt: skip


@transaction.atomic
def quota_year_set_total(*, quota_year: QuotaYear, national_total: int, actor) -> QuotaYear:
    """Change the national total (e.g. a raised quota); it can never fall below the regional split."""
    authz.authorize_actor(actor, authz.CHANGE, quota_year)
    national_total = _check_positive(national_total, "national_total")
    quota_year = QuotaYear.objects.select_for_update().get(pk=quota_year.pk)
    split = sum(quota_year.shares.values_list("places", flat=True))
    if split > national_total:
        raise DomainError(
            _("The regional split already gives %(split)s places; the total cannot be %(total)s.")
            % {"split": split, "total": national_total},
            field="national_total",
        )
    quota_year.national_total = national_total
    with acting(actor):
        quota_year.save(update_fields=["national_total"])
    return quota_year


@transaction.atomic
def quota_year_set_open(*, quota_year: QuotaYear, is_open: bool, actor) -> QuotaYear:
    authz.authorize_actor(actor, authz.CHANGE, quota_year)
    quota_year = QuotaYear.objects.select_for_update().get(pk=quota_year.pk)
    quota_year.is_open = is_open
    with acting(actor):
        quota_year.save(update_fields=["is_open"])
    return quota_year


@transaction.atomic
def regional_quota_set(*, quota_year: QuotaYear, region, places: int, actor) -> RegionalQuota:
    """Create or change a region's share. The split can never exceed the national total and a share
    can never fall below the places already allocated in it (both also enforced by the database)."""
    authz.authorize_actor(actor, "quotas.change_regionalquota", quota_year)
    places = _check_positive(places, "places")
    # Lock the year first: the database trigger does the same, so concurrent edits queue here.
    year = QuotaYear.objects.select_for_update().get(pk=quota_year.pk)
    share = RegionalQuota.objects.select_for_update().filter(quota_year=year, region=region).first()
    others = sum(year.shares.exclude(region=region).values_list("places", flat=True))
    if others + places > year.national_total:
        raise DomainError(
            _("The split would give %(split)s places, more than the national total of %(total)s.")
            % {"split": others + places, "total": year.national_total},
            field="places",
        )
    if share is not None and places < share.used:
        raise DomainError(
            _("%(used)s places of this share are already allocated; it cannot be smaller.") % {"used": share.used},
            field="places",
        )
    try:
        with acting(actor), transaction.atomic():
            if share is None:
                return RegionalQuota.objects.create(quota_year=year, region=region, places=places)
            share.places = places
            share.save(update_fields=["places"])
            return share
    except IntegrityError as exc:
        raise DomainError(_("The quota split exceeds the national total."), field="places") from exc


# --- Requests -------------------------------------------------------------------------------------


@transaction.atomic
def quota_request_create(
    *,
    family: Family,
    quota_year: QuotaYear,
    region,
    actor,
    categories: Iterable[PriorityCategory] = (),
    submitted_at: datetime.datetime | None = None,
) -> QuotaRequest:
    """File a family's request for a year's quota in one region of settlement."""
    authz.authorize_actor(actor, authz.ADD, QuotaRequest)
    authz.authorize_actor(actor, authz.VIEW, family)
    allowed = allowed_region_ids(actor) if actor is not None else None
    if allowed is not None and region.pk not in allowed:
        raise DomainError(_("You can file requests only for your own region."), field="region")
    year = QuotaYear.objects.get(pk=quota_year.pk)
    if not year.is_open:
        raise DomainError(_("The quota for %(year)s is closed for requests.") % {"year": year.year}, field="quota_year")
    if not RegionalQuota.objects.filter(quota_year=year, region=region).exists():
        raise DomainError(
            _("%(region)s has no share of the %(year)s quota; settling there gives no quota benefits.")
            % {"region": region, "year": year.year},
            field="region",
        )
    if active_status_of(family.head) is None:
        raise DomainError(
            _("The head of the family, %(person)s, does not hold a valid kandas status.") % {"person": family.head},
            field="family",
        )
    if QuotaRequest.objects.filter(family=family, quota_year=year).exists():
        raise DomainError(
            _("This family has already filed a quota request for %(year)s.") % {"year": year.year}, field="family"
        )
    categories = list(categories)
    if any(not c.active for c in categories):
        raise DomainError(_("A priority category that is no longer in use cannot be claimed."), field="categories")
    members = family_size(family)
    places = members if year.unit == QuotaUnit.PERSONS else 1
    try:
        with acting(actor), transaction.atomic():
            request = QuotaRequest.objects.create(
                family=family, quota_year=year, region=region, members_count=members, places=places,
                submitted_at=submitted_at or timezone.now(), created_by=actor,
            )  # fmt: skip
            request.categories.set(categories)
    except IntegrityError as exc:
        raise DomainError(
            _("This family has already filed a quota request for %(year)s.") % {"year": year.year}, field="family"
        ) from exc
    return request


def quota_request_explanation(request: QuotaRequest) -> str:
    """Why the request is where it is, in words a caseworker can read to the family."""
    category = (
        _("priority category “%(name)s” (rank %(rank)s)") % {"name": request.deciding_category.name, "rank": request.deciding_category.rank}
        if request.deciding_category_id
        else _("no priority category")
    )  # fmt: skip
    facts = {
        "run": request.decided_by_run_id, "rank": request.rank, "position": request.waitlist_position,
        "category": category, "places": request.places, "region": request.region,
    }  # fmt: skip
    if request.state == R.PENDING:
        return _("Filed; it will be decided by the next allocation run.")
    if request.state == R.ALLOCATED or (request.state == R.SETTLED and request.rank):
        return (
            _(
                "Included by run No. %(run)s: place %(rank)s in the order of %(region)s, counted under %(category)s; "
                "it holds %(places)s place(s) of the region's share."
            )
            % facts
        )
    if request.state == R.WAITLISTED:
        rule = OversizeRule(request.quota_year.oversize_rule).label
        return (
            _(
                "Waitlisted by run No. %(run)s: place %(rank)s in the order of %(region)s, counted under %(category)s; "
                "the families before it used the share, and it needs %(places)s place(s). It is number %(position)s "
                "in the waiting line and moves up when a place is freed."
            )
            % facts
            + " "
            + _("Rule for a family larger than the places left: %(rule)s.") % {"rule": rule}
        )
    return _("%(state)s on %(date)s. %(reason)s") % {
        "state": R(request.state).label, "date": timezone.localtime(request.closed_at).date() if request.closed_at else "—",
        "reason": request.close_reason,
    }  # fmt: skip


def _lock_request(request: QuotaRequest) -> tuple[RegionalQuota, QuotaRequest]:
    """Lock the region's share, then the request: the same order as the allocation job (no deadlock)."""
    share = (
        RegionalQuota.objects.select_for_update(of=("self",))
        .select_related("quota_year")
        .get(quota_year_id=request.quota_year_id, region_id=request.region_id)
    )
    return share, QuotaRequest.objects.select_for_update(of=("self",)).select_related("family__head").get(pk=request.pk)


# The pattern every state machine follows (core.transitions). The share is locked before the
# request (the allocation job's order); a request's history is its pghistory events.
MACHINE = StateMachine(
    moves=LEGAL_TRANSITIONS,
    states=R,
    refusal=gettext_lazy("A request that is %(from)s cannot become %(to)s."),
    lock=lambda request: _lock_request(request)[1],
    touch=(),
)


def _close(request: QuotaRequest, to_state: str, *, actor, reason: str) -> QuotaRequest:
    authz.authorize_actor(actor, authz.CHANGE, request)
    share, request = _lock_request(request)
    MACHINE.check(request, to_state)
    freed = request.state == R.ALLOCATED
    request.waitlist_position = None
    request.rank = None  # a closed request leaves the order (its rank stays in its history)
    request.closed_at = timezone.now()
    request.close_reason = reason
    MACHINE.move(request, to_state, actor=actor, reason=reason, authorize=False,
                 fields=("waitlist_position", "rank", "closed_at", "close_reason"))  # fmt: skip
    if freed and share.quota_year.is_open:
        _promote(share=share, actor=actor)
    return request


@transaction.atomic
def quota_request_decline(*, request: QuotaRequest, actor, reason: str = "") -> QuotaRequest:
    """The family declines (or withdraws its request). A freed place goes to the waiting line."""
    return _close(request, R.DECLINED, actor=actor, reason=reason)


@transaction.atomic
def quota_request_release(*, request: QuotaRequest, actor, reason: str) -> QuotaRequest:
    """The department releases an allocated place (the family did not come, lost its status...)."""
    if not reason.strip():
        raise DomainError(_("Say why the place is released."), field="reason")
    return _close(request, R.RELEASED, actor=actor, reason=reason)


@transaction.atomic
def quota_request_settle(*, request: QuotaRequest, actor) -> QuotaRequest:
    """The family arrived and its relocation allowance is paid: the request is settled."""
    authz.authorize_actor(actor, authz.CHANGE, request)
    _share, request = _lock_request(request)
    MACHINE.check(request, R.SETTLED)
    if not request.instalments.filter(kind=BenefitKind.RELOCATION, paid_on__isnull=False).exists():
        raise DomainError(_("Record the payment of the relocation allowance before settling the request."))
    request.closed_at = timezone.now()
    return MACHINE.move(request, R.SETTLED, actor=actor, fields=("closed_at",), authorize=False)


def _promote(*, share: RegionalQuota, actor) -> AllocationRun:
    """Give freed places to the region's waiting line, in its order (pending requests wait for a run)."""
    run = AllocationRun.objects.create(
        quota_year_id=share.quota_year_id, region_id=share.region_id, kind=AllocationRun.Kind.PROMOTION,
        status=AllocationRun.Status.RUNNING, oversize_rule=share.quota_year.oversize_rule, requested_by=actor,
        regions_total=1, attempts=1, started_at=timezone.now(),
    )  # fmt: skip
    result = _decide_region(run=run, share=share, states=(R.WAITLISTED,))
    _record_progress(run, result)
    run.status = AllocationRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run


# --- The allocation job ---------------------------------------------------------------------------

HOLDING = (str(R.ALLOCATED), str(R.SETTLED))

CANDIDATES_SQL = f"""
SELECT r.id, r.places, r.state, r.submitted_at, r.rank, r.waitlist_position, r.deciding_category_id,
       b.rank AS priority, b.id AS category_id, r.family_id
FROM quotas_quotarequest r
LEFT JOIN LATERAL (
    SELECT c.rank, c.id FROM quotas_quotarequest_categories rc
    JOIN quotas_prioritycategory c ON c.id = rc.prioritycategory_id AND c.active
    WHERE rc.quotarequest_id = r.id ORDER BY c.rank LIMIT 1
) b ON TRUE
WHERE r.quota_year_id = %s AND r.region_id = %s AND r.state = ANY(%s)
ORDER BY COALESCE(b.rank, {NO_CATEGORY_RANK}), r.submitted_at, r.id
"""

APPLY_SQL = """
UPDATE quotas_quotarequest r
SET state = v.state, rank = v.rank, waitlist_position = v.position, deciding_category_id = v.category_id,
    decided_by_run_id = %s, decided_at = %s
FROM unnest(%s::bigint[], %s::varchar[], %s::integer[], %s::integer[], %s::bigint[])
     AS v(id, state, rank, position, category_id)
WHERE r.id = v.id AND r.state IN ('pending', 'waitlisted')
"""

RERANK_SQL = """
UPDATE quotas_quotarequest r SET rank = v.rank
FROM unnest(%s::bigint[], %s::integer[]) AS v(id, rank)
WHERE r.id = v.id AND r.state IN ('allocated', 'settled')
"""


@dataclass
class RegionResult:
    considered: int = 0
    allocated: int = 0
    waitlisted: int = 0
    changed: int = 0


def _decide_region(*, run: AllocationRun, share: RegionalQuota, states: tuple[str, ...]) -> RegionResult:
    """Decide one region inside the caller's transaction; `share` must be locked FOR UPDATE.

    Ranks stay unique among the region's open requests (a deferred unique constraint checks it at
    commit): a full run numbers every open request 1..n, the held ones too; a promotion (a freed
    place given to the waiting line) keeps every rank as it is and changes states and positions only.

    Strict order (the default rule) is one statement: a window function ranks the region's
    requests and sums the places needed, and the same statement updates the rows whose decision
    changed. The skip rule cannot be written as a window function: its rows are walked once by
    `quotas.allocation` and written back with one UPDATE ... FROM unnest(...)."""
    rule = run.oversize_rule or share.quota_year.oversize_rule
    keep_ranks = run.kind == AllocationRun.Kind.PROMOTION
    with acting(run.requested_by, job="quota_allocation", run=run.pk):
        if rule == OversizeRule.STRICT_ORDER:
            result, newly_allocated = _decide_region_in_sql(run=run, share=share, states=states, keep_ranks=keep_ranks)
        else:
            result, newly_allocated = _decide_region_in_python(
                run=run, share=share, states=states, rule=rule, keep_ranks=keep_ranks
            )
    if run.kind == AllocationRun.Kind.PROMOTION:
        _notify_promoted(run, newly_allocated)  # in the transaction of the decline or release
    return result


DECIDE_STRICT_SQL = f"""
WITH ordered AS (
    -- Each request's best (lowest-ranked) active category, looked up by the request's key: the
    -- region's few thousand requests probe the categories' index rather than the table being
    -- merged whole once per region (issue 16).
    SELECT r.id, r.state, b.category_id,
           row_number() OVER w AS rank,
           SUM(CASE WHEN r.state = ANY(%(candidates)s) THEN r.places ELSE 0 END) OVER w AS needed
    FROM quotas_quotarequest r
    LEFT JOIN LATERAL (
        SELECT c.rank, c.id AS category_id
        FROM quotas_quotarequest_categories rc
        JOIN quotas_prioritycategory c ON c.id = rc.prioritycategory_id AND c.active
        WHERE rc.quotarequest_id = r.id
        ORDER BY c.rank, c.id
        LIMIT 1
    ) b ON true
    WHERE r.quota_year_id = %(year)s AND r.region_id = %(region)s AND r.state = ANY(%(considered)s)
    WINDOW w AS (ORDER BY COALESCE(b.rank, {NO_CATEGORY_RANK}), r.submitted_at, r.id)
), decided AS (
    SELECT o.id, o.rank, o.category_id,
           CASE WHEN o.needed <= q.places - q.used THEN 'allocated' ELSE 'waitlisted' END AS state
    FROM ordered o
    JOIN quotas_regionalquota q ON q.quota_year_id = %(year)s AND q.region_id = %(region)s
    WHERE o.state = ANY(%(candidates)s)
), positioned AS (
    SELECT d.*, CASE WHEN d.state = 'waitlisted' THEN row_number() OVER (PARTITION BY d.state ORDER BY d.rank) END
           AS position
    FROM decided d
), changed AS (
    UPDATE quotas_quotarequest r
    SET state = p.state, rank = CASE WHEN %(keep_ranks)s THEN COALESCE(r.rank, p.rank) ELSE p.rank END,
        waitlist_position = p.position, deciding_category_id = p.category_id,
        decided_by_run_id = %(run)s, decided_at = %(now)s
    FROM positioned p
    WHERE r.id = p.id AND r.state IN ('pending', 'waitlisted')
      AND (r.state, r.rank, r.waitlist_position, r.deciding_category_id)
          IS DISTINCT FROM (p.state::varchar,
                            (CASE WHEN %(keep_ranks)s THEN COALESCE(r.rank, p.rank) ELSE p.rank END)::integer,
                            p.position::integer, p.category_id)
    RETURNING r.id, r.state
), reranked AS (
    -- A full run numbers the held requests too (their state and deciding run stay as they are).
    UPDATE quotas_quotarequest r SET rank = o.rank
    FROM ordered o
    WHERE NOT %(keep_ranks)s AND r.id = o.id AND r.state IN ('allocated', 'settled')
      AND r.quota_year_id = %(year)s AND r.region_id = %(region)s
      AND r.rank IS DISTINCT FROM o.rank::integer
    RETURNING r.id
)
SELECT (SELECT COUNT(*) FROM decided WHERE state = 'allocated'),
       (SELECT COUNT(*) FROM decided WHERE state = 'waitlisted'),
       (SELECT COUNT(*) FROM changed) + (SELECT COUNT(*) FROM reranked),
       (SELECT COALESCE(array_agg(id), '{{}}') FROM changed WHERE state = 'allocated')
"""


def _decide_region_in_sql(*, run, share, states, keep_ranks) -> tuple[RegionResult, list[int]]:
    params = {
        "year": share.quota_year_id, "region": share.region_id, "candidates": list(states),
        "considered": [*states, *HOLDING], "run": run.pk, "now": timezone.now(), "keep_ranks": keep_ranks,
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(DECIDE_STRICT_SQL, params)
        allocated, waitlisted, changed, newly_allocated = cursor.fetchone()
    result = RegionResult(
        considered=allocated + waitlisted, allocated=allocated, waitlisted=waitlisted, changed=changed
    )
    return result, list(newly_allocated)


def _decide_region_in_python(*, run, share, states, rule, keep_ranks) -> tuple[RegionResult, list[int]]:
    with connection.cursor() as cursor:
        cursor.execute(CANDIDATES_SQL, [share.quota_year_id, share.region_id, [*states, *HOLDING]])
        rows = cursor.fetchall()
    current = {}
    candidates = []
    for rid, places, state, submitted_at, rank, position, cat, priority, category_id, _family_id in rows:
        current[rid] = (state, rank, position, cat)
        candidates.append(
            allocation.Candidate(
                id=rid, region_id=share.region_id, places=places, submitted_at=submitted_at,
                priority=priority if priority is not None else NO_CATEGORY_RANK, category_id=category_id,
                holds_places=state in HOLDING,
            )
        )  # fmt: skip
    decisions = allocation.allocate_region(candidates, capacity=share.places, rule=rule)
    result = RegionResult(considered=sum(1 for c in candidates if not c.holds_places))
    ids, new_states, ranks, positions, cats = [], [], [], [], []
    rerank_ids, reranks = [], []
    newly_allocated = []
    for d in decisions:
        rank = current[d.id][1] if keep_ranks and current[d.id][1] is not None else d.rank
        if d.outcome == allocation.Outcome.HELD:
            if not keep_ranks and current[d.id][1] != d.rank:
                rerank_ids.append(d.id)
                reranks.append(d.rank)
            continue
        state = str(d.outcome)
        if state == R.ALLOCATED:
            result.allocated += 1
        else:
            result.waitlisted += 1
        if current[d.id] == (state, rank, d.waitlist_position, d.category_id):
            continue  # the same decision as before: leave the row (and the run that decided it) alone
        ids.append(d.id)
        new_states.append(state)
        ranks.append(rank)
        positions.append(d.waitlist_position)
        cats.append(d.category_id)
        if state == R.ALLOCATED:
            newly_allocated.append(d.id)
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(APPLY_SQL, [run.pk, timezone.now(), ids, new_states, ranks, positions, cats])
            if cursor.rowcount != len(ids):
                raise RuntimeError("allocation: a request changed state under a locked share")
    if rerank_ids:
        with connection.cursor() as cursor:
            cursor.execute(RERANK_SQL, [rerank_ids, reranks])
    result.changed = len(ids) + len(rerank_ids)
    return result, newly_allocated


def _notice_context(request: QuotaRequest) -> dict:
    language = request.family.head.preferred_language or "ru"
    return {
        "request_id": request.pk, "year": request.quota_year.year, "rank": request.rank,
        "position": request.waitlist_position, "places": request.places,
        "region_name": getattr(request.region, f"name_{language}", "") or request.region.name_ru,
    }  # fmt: skip


def _notify_promoted(run: AllocationRun, ids: list[int]) -> None:
    qs = QuotaRequest.objects.filter(pk__in=ids).select_related("family__head", "quota_year", "region")
    for request in qs:
        notify(
            event="quota.promoted",
            key=f"quota-request-{request.pk}-allocated-{run.pk}",
            person=request.family.head,
            context=_notice_context(request),
        )


DECISIONS_WITHOUT_NOTICE_SQL = """
SELECT r.id FROM quotas_quotarequest r
WHERE r.quota_year_id = %s AND r.decided_by_run_id IS NOT NULL AND r.state IN ('allocated', 'waitlisted')
  AND NOT EXISTS (
      SELECT 1 FROM notifications_notification n
      WHERE n.key = CASE WHEN r.state = 'allocated'
                         THEN 'quota-request-' || r.id || '-allocated-' || r.decided_by_run_id
                         ELSE 'quota-request-' || r.id || '-waitlisted' END)
ORDER BY r.id
"""


def _decision_key(request: QuotaRequest) -> str:
    if request.state == R.ALLOCATED:
        return f"quota-request-{request.pk}-allocated-{request.decided_by_run_id}"
    return f"quota-request-{request.pk}-waitlisted"


def quota_decisions_notify(*, quota_year_id: int) -> int:
    """Tell every family of the year whose current decision has no notice yet: included, or
    waitlisted with their place in line. Returns how many notices were written.

    Not only the families of one run: a run that failed half-way decided some regions, and the run
    that finished the job leaves those decisions as they are (same decision, same row), so notices
    keyed by the run that *changed* each row would miss them. The keys make each notice exactly
    once: one "allocated" notice per request and deciding run, one "waitlisted" notice per request."""
    with connection.cursor() as cursor:
        cursor.execute(DECISIONS_WITHOUT_NOTICE_SQL, [quota_year_id])
        ids = [row[0] for row in cursor.fetchall()]
    sent = 0
    for start in range(0, len(ids), 2000):
        chunk = QuotaRequest.objects.filter(pk__in=ids[start : start + 2000]).select_related(
            "family__head", "quota_year", "region"
        )
        for request in chunk.order_by("pk"):
            if request.state not in (R.ALLOCATED, R.WAITLISTED):
                continue  # declined meanwhile
            with transaction.atomic():
                notify(
                    event="quota.allocated" if request.state == R.ALLOCATED else "quota.waitlisted",
                    key=_decision_key(request),
                    person=request.family.head,
                    context=_notice_context(request),
                )
            sent += 1
    return sent


def notify_run_decisions(*, run_id: int) -> int:
    """After a run: notify every decision of its year that has no notice, then mark the run notified."""
    run = AllocationRun.objects.get(pk=run_id)
    sent = quota_decisions_notify(quota_year_id=run.quota_year_id)
    AllocationRun.objects.filter(pk=run_id, status=AllocationRun.Status.DONE, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    return sent


def _record_progress(run: AllocationRun, result: RegionResult, share_id: int | None = None) -> None:
    run.regions_done += 1
    run.considered += result.considered
    run.allocated += result.allocated
    run.waitlisted += result.waitlisted
    run.changed += result.changed
    fields = ["regions_done", "considered", "allocated", "waitlisted", "changed"]
    if share_id is not None:
        run.done_share_ids = [*run.done_share_ids, share_id]
        fields.append("done_share_ids")
    run.save(update_fields=fields)


@transaction.atomic
def allocation_run_start(*, quota_year: QuotaYear, actor, region=None, kind: str = AllocationRun.Kind.MANUAL):
    """Queue an allocation run for a year (optionally one region); the Celery job does the work.

    The run row is the job (an outbox row): it commits with the request, and its message is
    published after the commit; if the broker is down the dispatcher publishes it later."""
    authz.authorize_actor(actor, "quotas.start_allocationrun", AllocationRun)
    year = QuotaYear.objects.get(pk=quota_year.pk)
    if not year.is_open:
        raise DomainError(_("The quota for %(year)s is closed; no allocation can run.") % {"year": year.year})
    shares = RegionalQuota.objects.filter(quota_year=year)
    if region is not None:
        shares = shares.filter(region=region)
    if not shares.exists():
        raise DomainError(_("The quota for %(year)s has no regional split to allocate.") % {"year": year.year})
    with acting(actor):
        run = AllocationRun.objects.create(
            quota_year=year, region=region, kind=kind, requested_by=actor, oversize_rule=year.oversize_rule
        )
    transaction.on_commit(lambda: allocation_run_publish(run_id=run.pk))
    return run


def allocation_run_publish(*, run_id: int) -> bool:
    """Hand the run's message to the broker and record that it was taken; never raises."""
    from quotas.tasks import allocate_quota_task

    task_id = publish(allocate_quota_task, args=[run_id])
    if task_id is None:
        return False
    AllocationRun.objects.filter(pk=run_id).update(task_id=task_id, dispatched_at=timezone.now())
    return True


# A session-level advisory lock per run, held by the worker executing it: released by PostgreSQL
# when that worker's connection ends (process killed, connection lost), which is how a stalled
# "running" run is told from one that is making progress.
RUN_LOCK_CLASS = 15_001


def _try_lock_run(run_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK_CLASS, run_id])
        return cursor.fetchone()[0]


def _unlock_run(run_id: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK_CLASS, run_id])
    except Exception:  # the connection is gone, and the lock with it
        logger.warning("Allocation run %s: could not release its lock (connection lost)", run_id)


def run_is_orphaned(run_id: int) -> bool:
    """True if no live worker holds the run (its lock is free)."""
    if not _try_lock_run(run_id):
        return False
    _unlock_run(run_id)
    return True


class _RunTakenOver(Exception):
    """Another worker took the run over (this one was presumed dead); stop without writing."""


def _claim_run(run_id: int) -> AllocationRun | None:
    """Take the run for this worker: queued, failed, or running with no live worker. None if it is
    done or another worker holds it. Counters and decided regions are kept: a resumed run goes on
    from where it stopped."""
    if not _try_lock_run(run_id):
        return None
    try:
        with transaction.atomic():
            run = (
                AllocationRun.objects.select_for_update(of=("self",))
                .select_related("quota_year", "requested_by")
                .get(pk=run_id)
            )
            if run.status == AllocationRun.Status.DONE:
                _unlock_run(run_id)
                return None
            shares = RegionalQuota.objects.filter(quota_year_id=run.quota_year_id)
            if run.region_id:
                shares = shares.filter(region_id=run.region_id)
            if run.status == AllocationRun.Status.QUEUED:  # a first start: nothing decided yet
                run.done_share_ids = []
                run.regions_done = run.considered = run.allocated = run.waitlisted = run.changed = 0
            run.status = AllocationRun.Status.RUNNING
            run.attempts += 1
            run.started_at = run.started_at or timezone.now()
            run.finished_at = None
            run.regions_total = shares.count()
            run.oversize_rule = run.oversize_rule or run.quota_year.oversize_rule
            run.error = ""
            run.save()
            return run
    except BaseException:
        _unlock_run(run_id)
        raise


def allocation_run_execute(*, run_id: int, on_progress: Callable[[AllocationRun], None] | None = None) -> AllocationRun:
    """Do (or finish) a run: every region in its own transaction, committed one by one.

    Idempotent and resumable: a done run is not repeated; a run that failed or whose worker died
    goes on with the regions it has not decided yet (their ids are recorded with each region's
    decisions, in the same transaction, and so are the counters). If another worker holds the run,
    this call changes nothing."""
    run = _claim_run(run_id)
    if run is None:
        return AllocationRun.objects.get(pk=run_id)
    try:
        if on_progress:
            on_progress(run)
        shares = RegionalQuota.objects.filter(quota_year_id=run.quota_year_id)
        if run.region_id:
            shares = shares.filter(region_id=run.region_id)
        share_ids = [
            pk for pk in shares.order_by("region_id").values_list("pk", flat=True) if pk not in set(run.done_share_ids)
        ]
        for share_id in share_ids:
            with transaction.atomic():
                # Lock the run row first: a worker taking the run over waits for this region.
                held = (
                    AllocationRun.objects.select_for_update()
                    .filter(pk=run.pk, status=AllocationRun.Status.RUNNING, attempts=run.attempts)
                    .values_list("pk", flat=True)
                    .first()
                )
                if held is None:
                    raise _RunTakenOver()
                share = (
                    RegionalQuota.objects.select_for_update(of=("self",)).select_related("quota_year").get(pk=share_id)
                )
                if not share.quota_year.is_open:
                    raise DomainError(
                        _("The quota for %(year)s is closed; no allocation can run.") % {"year": share.quota_year.year}
                    )
                result = _decide_region(run=run, share=share, states=(R.PENDING, R.WAITLISTED))
                _record_progress(run, result, share_id)
            if on_progress:
                on_progress(run)
        run.status = AllocationRun.Status.DONE
        run.finished_at = timezone.now()
        AllocationRun.objects.filter(pk=run.pk, attempts=run.attempts).update(
            status=run.status, finished_at=run.finished_at
        )
        return run
    except _RunTakenOver:
        logger.warning("Allocation run %s: taken over by another worker; attempt %s stops", run.pk, run.attempts)
        return AllocationRun.objects.get(pk=run.pk)
    except Exception as exc:
        try:
            AllocationRun.objects.filter(pk=run.pk, attempts=run.attempts).update(
                status=AllocationRun.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
            )
        except Exception:  # the connection itself is lost: the run stays "running" and its lock is free
            logger.warning("Allocation run %s: could not record its failure", run.pk, exc_info=True)
        raise
    finally:
        _unlock_run(run.pk)


@transaction.atomic
def allocation_run_resume(*, run: AllocationRun, actor) -> AllocationRun:
    """Staff resume a run that failed (also one past ALLOCATION_RUN_MAX_ATTEMPTS, which the
    dispatcher no longer retries) or stalled (running, with no live worker): its message is
    published again and a worker goes on from the regions it had not decided. Refused for a run
    that is queued, done, or held by a live worker."""
    authz.authorize_actor(actor, "quotas.start_allocationrun", run)
    run = AllocationRun.objects.select_for_update(of=("self",)).select_related("quota_year").get(pk=run.pk)
    S = AllocationRun.Status
    stalled = run.status == S.RUNNING and run_is_orphaned(run.pk)
    if run.status != S.FAILED and not stalled:
        raise DomainError(
            _("Only a failed run, or one whose worker stopped, can be resumed; this run is %(status)s.")
            % {"status": run.get_status_display()}
        )
    if not run.quota_year.is_open:
        raise DomainError(_("The quota for %(year)s is closed; no allocation can run.") % {"year": run.quota_year.year})
    with acting(actor):
        AllocationRun.objects.filter(pk=run.pk).update(dispatched_at=None)
    transaction.on_commit(lambda: allocation_run_publish(run_id=run.pk))
    return run


def allocation_runs_dispatch(*, now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """The dispatcher (beat, every minute): publish every run whose job is not safely on its way.

    * queued runs whose message was never confirmed (the broker was down), or was confirmed long
      ago and never picked up (the broker lost it);
    * running runs whose worker is gone (its lock is free: killed, or its connection lost);
    * failed runs of an open year, up to ALLOCATION_RUN_MAX_ATTEMPTS attempts;
    * finished runs whose families are not all notified yet.
    Publishing twice is harmless: a run is executed by one worker at a time and notices are keyed."""
    from django.conf import settings

    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.JOBS_REPUBLISH_AFTER_SECONDS)
    S = AllocationRun.Status
    queued = AllocationRun.objects.filter(status=S.QUEUED).filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale)
    )
    failed = AllocationRun.objects.filter(
        status=S.FAILED, quota_year__is_open=True, attempts__lt=settings.ALLOCATION_RUN_MAX_ATTEMPTS
    )
    running = [
        pk for pk in AllocationRun.objects.filter(status=S.RUNNING).values_list("pk", flat=True) if run_is_orphaned(pk)
    ]
    to_run = sorted({*queued.values_list("pk", flat=True), *failed.values_list("pk", flat=True), *running})
    published = [pk for pk in to_run if allocation_run_publish(run_id=pk)]
    from quotas.tasks import notify_run_decisions_task

    unnotified = AllocationRun.objects.filter(
        status=S.DONE, notified_at__isnull=True, finished_at__lt=now - datetime.timedelta(minutes=1)
    ).exclude(kind=AllocationRun.Kind.PROMOTION)
    notices = [pk for pk in unnotified.values_list("pk", flat=True) if publish(notify_run_decisions_task, args=[pk])]
    return {"runs": published, "notices": notices}


def reallocate_open_years(*, actor=None) -> list[AllocationRun]:
    """The nightly job: re-allocate freed places (and new requests) of every open year.

    A year in which a run would change nothing (no new request, no freed place, no new category)
    gets no run: each year is decided first in a transaction that is rolled back."""
    runs = []
    for year in QuotaYear.objects.filter(is_open=True, shares__isnull=False).distinct().order_by("year"):
        if not _reallocation_would_change(year=year, actor=actor):
            continue
        run = AllocationRun.objects.create(
            quota_year=year, kind=AllocationRun.Kind.SCHEDULED, requested_by=actor, oversize_rule=year.oversize_rule,
            dispatched_at=timezone.now(),  # executed right here, not through the queue
        )  # fmt: skip
        runs.append(allocation_run_execute(run_id=run.pk))
    return runs


class _DryRun(Exception):
    pass


def _reallocation_would_change(*, year: QuotaYear, actor) -> bool:
    """Decide every region of the year as a run would, then roll it all back: did any row change?"""
    changed = 0
    try:
        with transaction.atomic():
            probe = AllocationRun.objects.create(
                quota_year=year, kind=AllocationRun.Kind.SCHEDULED, requested_by=actor,
                oversize_rule=year.oversize_rule, status=AllocationRun.Status.RUNNING,
            )  # fmt: skip
            shares = (
                RegionalQuota.objects.select_for_update(of=("self",))
                .select_related("quota_year")
                .filter(quota_year=year)
                .order_by("region_id")
            )
            for share in shares:
                changed += _decide_region(run=probe, share=share, states=(R.PENDING, R.WAITLISTED)).changed
            raise _DryRun()
    except _DryRun:
        pass
    return changed > 0


# --- Benefits ---------------------------------------------------------------------------------------

TIYN = Decimal("0.01")


def mci_value(year: int) -> Decimal:
    value = MciValue.objects.filter(year=year).values_list("tenge", flat=True).first()
    if value is None:
        raise DomainError(
            _("The MCI value for %(year)s is not recorded; an administrator must add it.") % {"year": year}
        )
    return value


def benefit_rates(year: int) -> BenefitRates:
    rates = BenefitRates.objects.filter(year__lte=year).order_by("-year").first()
    if rates is None:
        raise DomainError(_("No benefit rates are recorded for %(year)s.") % {"year": year})
    return rates


@dataclass(frozen=True)
class BenefitEntitlement:
    year: int
    mci_tenge: Decimal
    members: int
    relocation_mci: Decimal
    rent_mci_per_month: Decimal
    rent_months: int
    housing_cap_mci: Decimal
    housing_percent: int
    housing_mode: str = HousingCertificateMode.PERCENT_WITH_CAP
    employer_subsidy_mci: Decimal | None = None

    @property
    def relocation_tenge(self) -> Decimal:
        return (self.relocation_mci * self.mci_tenge).quantize(TIYN, ROUND_HALF_UP)

    @property
    def rent_tenge_per_month(self) -> Decimal:
        return (self.rent_mci_per_month * self.mci_tenge).quantize(TIYN, ROUND_HALF_UP)

    @property
    def housing_cap_tenge(self) -> Decimal:
        return (self.housing_cap_mci * self.mci_tenge).quantize(TIYN, ROUND_HALF_UP)

    def housing_certificate_tenge(self, home_price_tenge: Decimal) -> Decimal:
        """The certificate for a home of this price under the year's rule: a percentage of the price
        up to the cap (2023-2025: 50 % up to 1,160 MCI), or a fixed amount, the price where the home
        costs less (from 2026: 1,625 MCI)."""
        price = Decimal(home_price_tenge).quantize(TIYN, ROUND_HALF_UP)
        if self.housing_mode == HousingCertificateMode.FIXED_UP_TO_PRICE:
            return min(price, self.housing_cap_tenge)
        share = (price * self.housing_percent / 100).quantize(TIYN, ROUND_HALF_UP)
        return min(share, self.housing_cap_tenge)

    @property
    def total_cash_tenge(self) -> Decimal:
        return self.relocation_tenge + self.rent_tenge_per_month * self.rent_months


def benefit_entitlement(request: QuotaRequest) -> BenefitEntitlement:
    """What an included family is owed, from its size and the year's MCI and rates."""
    year = request.quota_year.year
    rates = benefit_rates(year)
    members = request.members_count
    rent = (
        rates.rent_mci_per_month_large_family
        if members >= rates.large_family_from_members
        else rates.rent_mci_per_month
    )
    return BenefitEntitlement(
        year=year, mci_tenge=mci_value(year), members=members,
        relocation_mci=rates.relocation_mci_per_member * members, rent_mci_per_month=rent,
        rent_months=rates.rent_months, housing_cap_mci=rates.housing_certificate_cap_mci,
        housing_percent=rates.housing_certificate_percent, housing_mode=rates.housing_certificate_mode,
        employer_subsidy_mci=rates.employer_subsidy_mci,
    )  # fmt: skip


@transaction.atomic
def benefits_schedule(*, request: QuotaRequest, actor, first_due_on: datetime.date) -> list[BenefitInstalment]:
    """Schedule the relocation allowance and the monthly rent subsidy of an allocated family."""
    authz.authorize_actor(actor, "quotas.add_benefitinstalment", request)
    _share, request = _lock_request(request)
    if request.state != R.ALLOCATED:
        raise DomainError(_("Benefits are scheduled only for a family included in the quota."))
    if request.instalments.exists():
        raise DomainError(_("The benefits of this family are already scheduled."))
    ent = benefit_entitlement(request)
    rows = [
        BenefitInstalment(
            request=request, kind=BenefitKind.RELOCATION, sequence=1, due_on=first_due_on,
            amount_mci=ent.relocation_mci, mci_tenge=ent.mci_tenge, amount_tenge=ent.relocation_tenge,
        )
    ] + [
        BenefitInstalment(
            request=request, kind=BenefitKind.RENT, sequence=n, due_on=first_due_on + relativedelta(months=n - 1),
            amount_mci=ent.rent_mci_per_month, mci_tenge=ent.mci_tenge, amount_tenge=ent.rent_tenge_per_month,
        )
        for n in range(1, ent.rent_months + 1)
    ]  # fmt: skip
    with acting(actor):
        return BenefitInstalment.objects.bulk_create(rows)


@transaction.atomic
def housing_certificate_issue(
    *, request: QuotaRequest, home_price_tenge: Decimal, actor, due_on: datetime.date
) -> BenefitInstalment:
    """The housing certificate, by the rule of the quota year (`BenefitRates.housing_certificate_mode`,
    DOMAIN.md "The quota"): 2023-2025 50 % of the home's price up to 1,160 MCI; from 1 January 2026 a
    fixed 1,625 MCI (7,028,125 tenge), or the actual price where the home costs less."""
    authz.authorize_actor(actor, "quotas.add_benefitinstalment", request)
    _share, request = _lock_request(request)
    if request.state not in (R.ALLOCATED, R.SETTLED):
        raise DomainError(_("A housing certificate is issued only to a family included in the quota."))
    if home_price_tenge is None or Decimal(home_price_tenge) <= 0:
        raise DomainError(_("Enter the price of the home."), field="home_price_tenge")
    if request.instalments.filter(kind=BenefitKind.HOUSING).exists():
        raise DomainError(_("This family already has a housing certificate."))
    ent = benefit_entitlement(request)
    amount = ent.housing_certificate_tenge(Decimal(home_price_tenge))
    with acting(actor):
        return BenefitInstalment.objects.create(
            request=request, kind=BenefitKind.HOUSING, sequence=1, due_on=due_on,
            amount_mci=(amount / ent.mci_tenge).quantize(TIYN, ROUND_HALF_UP), mci_tenge=ent.mci_tenge,
            amount_tenge=amount,
        )  # fmt: skip


@transaction.atomic
def employer_subsidy_grant(
    *, request: QuotaRequest, employee, employer: str, actor, due_on: datetime.date
) -> BenefitInstalment:
    """The employers' relocation subsidy (2026 quota order: 400 MCI; DOMAIN.md "The quota"): paid to
    the employer who hires a member of a family included in the quota, once per employed member.
    A year whose rules give no subsidy (`BenefitRates.employer_subsidy_mci` empty) refuses it."""
    authz.authorize_actor(actor, "quotas.add_benefitinstalment", request)
    _share, request = _lock_request(request)
    if request.state not in (R.ALLOCATED, R.SETTLED):
        raise DomainError(_("The employers' subsidy is paid only for a family included in the quota."))
    employer = (employer or "").strip()
    if not employer:
        raise DomainError(_("Enter the employer who receives the subsidy."), field="employer")
    if not request.family.members.filter(person=employee, left_on__isnull=True).exists():
        raise DomainError(_("%(person)s is not a member of this family.") % {"person": employee}, field="employee")
    ent = benefit_entitlement(request)
    if not ent.employer_subsidy_mci:
        raise DomainError(
            _("The rules of %(year)s give no employers' relocation subsidy.") % {"year": ent.year},
            code="no_employer_subsidy",
        )
    if request.instalments.filter(kind=BenefitKind.EMPLOYER, employee=employee).exists():
        raise DomainError(
            _("The employers' subsidy for %(person)s is already granted.") % {"person": employee}, field="employee"
        )
    sequence = request.instalments.filter(kind=BenefitKind.EMPLOYER).count() + 1
    amount = (ent.employer_subsidy_mci * ent.mci_tenge).quantize(TIYN, ROUND_HALF_UP)
    with acting(actor):
        return BenefitInstalment.objects.create(
            request=request, kind=BenefitKind.EMPLOYER, sequence=sequence, due_on=due_on,
            amount_mci=ent.employer_subsidy_mci, mci_tenge=ent.mci_tenge, amount_tenge=amount, payee=employer,
            employee=employee,
        )  # fmt: skip


@transaction.atomic
def instalment_pay(*, instalment: BenefitInstalment, actor, paid_on: datetime.date | None = None) -> BenefitInstalment:
    authz.authorize_actor(actor, authz.CHANGE, instalment)
    instalment = BenefitInstalment.objects.select_for_update().get(pk=instalment.pk)
    if instalment.paid_on:
        raise DomainError(_("This instalment was already paid on %(date)s.") % {"date": instalment.paid_on})
    instalment.paid_on = paid_on or timezone.localdate()
    instalment.paid_by = actor
    with acting(actor):
        instalment.save(update_fields=["paid_on", "paid_by"])
    return instalment
