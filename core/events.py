"""Domain events: how a lower layer tells the layers above it what happened.

A service of the forum (say `cast_vote`) emits `VoteCast(...)` when the write is done;
gamification, advocacy, notifications or integrations subscribe to that type in their
AppConfig.ready(). The forum knows nothing about who listens.

    from core import events

    events.subscribe(VoteCast, pay_for_vote, phase=events.IN_TRANSACTION)
    events.subscribe(AnswerPosted, tell_the_webhooks, phase=events.AFTER_COMMIT)
    events.emit(VoteCast(actor_id=..., ...))

Two phases, chosen by the subscriber:

- `in_transaction`: called at once, inside the emitting service's transaction and under
  its row locks. Only for writes an invariant ties to the domain row (the ledger row of a
  vote: reputation == sum of the ledger). A handler that raises rolls the whole service
  back. Such handlers take locks only after the emitter's (see gamification.services,
  LOCK ORDER).
- `after_commit`: called once the transaction commits (never for a rolled-back one), each
  handler in a transaction of its own (its writes commit together; its own `on_commit`
  work runs when that commits); a handler with slow work enqueues a django-tasks task
  from there. Failures are logged and do not affect the other handlers
  (`on_commit(robust=True)`). The points, badges, notifications and webhooks of the
  forum's writes run here (issue 12), so they must be idempotent: re-read the state
  under the emitter's lock order and write nothing twice.

Handlers run in subscription order, in-transaction ones before any after-commit one.
Events are frozen dataclasses subclassing `DomainEvent`; they carry ids and plain values
(so an after-commit handler or a task can serialise them) and, for in-transaction
handlers, the locked rows the emitter already holds (fields excluded from comparison).

No Django signals: `registered()` lists every subscription, and a test pins that list.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)

Phase = Literal["in_transaction", "after_commit"]
IN_TRANSACTION: Phase = "in_transaction"
AFTER_COMMIT: Phase = "after_commit"
PHASES: tuple[Phase, ...] = (IN_TRANSACTION, AFTER_COMMIT)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every domain event; `actor_id` is who caused it (None: the system),
    `actor` the emitter's copy of that member for in-transaction handlers."""

    actor_id: int | None
    actor: Any = dataclasses.field(default=None, compare=False, repr=False, metadata={"row": True})

    @property
    def name(self) -> str:
        return type(self).__name__

    def payload(self) -> dict[str, Any]:
        """The event's ids and plain values, without the rows it may carry for
        in-transaction handlers (fields declared with `metadata={"row": True}`)."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if not f.metadata.get("row")
        }


def row(default: Any = None) -> Any:  # noqa: ANN401 - a dataclass field
    """A field holding a model instance for in-transaction handlers: left out of
    `payload()`, of equality and of the repr."""
    return dataclasses.field(default=default, compare=False, repr=False, metadata={"row": True})


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any], object]


@dataclass(frozen=True)
class Subscription:
    event_type: type[DomainEvent]
    handler: Handler
    phase: Phase

    @property
    def handler_name(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


_subscriptions: dict[type[DomainEvent], list[Subscription]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], object], *, phase: Phase) -> None:
    """Call `handler(event)` for every emitted event of exactly `event_type`, in `phase`.

    Idempotent: subscribing the same handler to the same type twice (a ready() run twice)
    keeps one subscription; the same handler in two phases is refused."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {PHASES}, not {phase!r}")
    if not (isinstance(event_type, type) and issubclass(event_type, DomainEvent)):
        raise TypeError(f"{event_type!r} is not a DomainEvent subclass")
    for existing in _subscriptions[event_type]:
        if existing.handler is handler:
            if existing.phase != phase:
                raise ValueError(f"{handler!r} is already subscribed in {existing.phase}")
            return
    _subscriptions[event_type].append(Subscription(event_type, handler, phase))


def unsubscribe(event_type: type[DomainEvent], handler: Handler) -> None:
    """Remove a subscription (tests that add a handler of their own)."""
    _subscriptions[event_type] = [s for s in _subscriptions[event_type] if s.handler is not handler]


def registered() -> list[Subscription]:
    """Every subscription, by event type name then subscription order."""
    return [
        s
        for event_type in sorted(_subscriptions, key=lambda t: (t.__module__, t.__qualname__))
        for s in _subscriptions[event_type]
    ]


def emit(event: DomainEvent) -> None:
    """Hand `event` to its subscribers: in-transaction handlers now, the others after
    commit. Must be called inside the emitting service's `transaction.atomic()` when any
    in-transaction handler is subscribed, so their writes share its fate."""
    subs = list(_subscriptions.get(type(event), ()))
    now = [s for s in subs if s.phase == IN_TRANSACTION]
    later = [s for s in subs if s.phase == AFTER_COMMIT]
    if now and not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{event.name} has in-transaction handlers: emit it inside atomic()")
    for sub in now:
        sub.handler(event)
    for sub in later:
        transaction.on_commit(_after_commit(sub.handler, event), robust=True)


def _after_commit(handler: Handler, event: DomainEvent) -> Callable[[], None]:
    """The on-commit hook running `handler(event)` in a transaction of its own. It is
    named after the handler: Django's robust on_commit logs a failing hook by its
    `__qualname__` (and the write has committed, so the failure is logged, not raised)."""

    def run() -> None:
        with transaction.atomic():
            handler(event)

    run.__qualname__ = f"{handler.__module__}.{handler.__qualname__}({event.name})"
    run.handler = handler  # which handler a pending hook will run (tests/conftest.py)
    return run
