"""Advocacy's domain events, emitted by `advocacy.services` through `core.events`.

Ids and plain values for after-commit handlers; the rows the service holds, as `row(...)`
fields, for in-transaction handlers (the webhooks' outbox in `integrations.handlers`).
Who listens: `core.events.registered()` and docs/architecture.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.events import DomainEvent, row

if TYPE_CHECKING:
    from advocacy.models import Escalation, Flag
    from forum.models import User
else:
    Escalation = Flag = User = Any


@dataclass(frozen=True, kw_only=True)
class EscalationChanged(DomainEvent):
    """An escalation was opened (`opened`), or changed as the desk's `change` word says
    ("assigned", "breached", "resolved", ...). Its history (`EscalationEvent`) names the
    actor; the event's `actor_id` is left empty."""

    escalation_id: int
    change: str
    opened: bool = False
    escalation: Escalation = row()


@dataclass(frozen=True, kw_only=True)
class FlagRaised(DomainEvent):
    """A member flagged a post (`flag`, open)."""

    flag_id: int
    flag: Flag = row()


@dataclass(frozen=True, kw_only=True)
class AdvocateApproved(DomainEvent):
    """A manager made `member` an advocate."""

    member_id: int
    member: User = row()


@dataclass(frozen=True, kw_only=True)
class AdvocateRevoked(DomainEvent):
    """A manager took the advocate role from `member`."""

    member_id: int
    member: User = row()
