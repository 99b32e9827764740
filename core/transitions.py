"""The one pattern of every state machine (status applications, citizenship applications, quota
requests): a table of legal moves owned by the app, and one `move` that checks a move against it,
locks the row, sets the state with update_fields, appends the transition record and returns the row.

    LEGAL_TRANSITIONS: Moves = {S.DRAFT: {S.SUBMITTED, S.WITHDRAWN}, ..., S.GRANTED: set()}
    MACHINE = StateMachine(
        moves=LEGAL_TRANSITIONS, states=S, lock=_locked, journal=ApplicationTransition,
        refusal=gettext_lazy("An application that is %(from)s cannot become %(to)s."),
    )
    MACHINE.move(application, S.UNDER_REVIEW, actor=actor, lock=True)

The app keeps its own table (the admin's TransitionAdminMixin reads it as `legal_moves`) and its own
refusal message; this module knows no domain model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, TextChoices

from core import authz
from core.audit import acting
from core.errors import DomainError

# state -> the states it may move to (a final state maps to an empty set).
Moves = dict[str, set[str]]


def _lock_row(row: Model) -> Model:
    return type(row)._default_manager.select_for_update().get(pk=row.pk)


@dataclass(frozen=True)
class StateMachine:
    moves: Moves  # the app's table, the very dict object (tests and the admin read it)
    states: type[TextChoices]  # the state choices: their order and labels
    refusal: Any  # lazy message with %(from)s and %(to)s (the state labels)
    lock: Callable[[Model], Model] = _lock_row  # re-read the row FOR UPDATE (select_related as needed)
    journal: type[Model] | None = None  # the transition record model; None: pghistory alone keeps it
    journal_fk: str = "application"  # the journal's foreign key to the row
    state_field: str = "state"
    touch: tuple[str, ...] = ("updated_at",)  # auto_now fields saved with every move

    def allows(self, from_state: str, to_state: str) -> bool:
        return to_state in self.moves.get(from_state, ())

    def next_states(self, state: str) -> list[str]:
        """The states `state` may move to, in the order of the choices."""
        return [s for s in self.states.values if self.allows(state, s)]

    def check(self, row: Model, to_state: str) -> None:
        """Refuse (DomainError, code illegal_transition) a move the table does not list."""
        from_state = getattr(row, self.state_field)
        if not self.allows(from_state, to_state):
            raise DomainError(
                self.refusal % {"from": self.states(from_state).label, "to": self.states(to_state).label},
                field=self.state_field,
                code="illegal_transition",
            )

    def move(
        self,
        row: Model,
        to_state: str,
        *,
        actor,
        reason: str = "",
        fields: Iterable[str] = (),
        lock: bool = False,
        authorize: bool = True,
    ) -> Model:
        """Move `row` to `to_state`: lock it first if asked (callers that read the row before moving
        lock it themselves with `machine.lock`), check the actor may change it (``actor=None`` is the
        system; `authorize=False` when the caller already asked before its own locking), check the
        move is legal, save the state, `touch` and `fields` (already set by the caller) with
        update_fields inside the audit context, append the journal record, return the row.
        Must run inside the caller's transaction."""
        if lock:
            row = self.lock(row)
        if authorize:
            authz.authorize_actor(actor, authz.CHANGE, row)
        self.check(row, to_state)
        from_state = getattr(row, self.state_field)
        setattr(row, self.state_field, to_state)
        with acting(actor, reason=reason):
            row.save(update_fields=[self.state_field, *self.touch, *fields])
            if self.journal is not None:
                self.journal._default_manager.create(
                    **{self.journal_fk: row},
                    from_state=from_state,
                    to_state=to_state,
                    actor=actor,
                    reason=reason,
                )
        return row
