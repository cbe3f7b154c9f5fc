"""Gamification's domain events, emitted by its services through `core.events`.

Ids and plain values for after-commit handlers; the rows the service holds, as `row(...)`
fields, for in-transaction handlers (the webhooks' outbox in `integrations.handlers`).
Who listens: `core.events.registered()` and docs/architecture.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.events import DomainEvent, row

if TYPE_CHECKING:
    from gamification.rewards.models import Redemption
else:
    Redemption = Any


@dataclass(frozen=True, kw_only=True)
class RedemptionRequested(DomainEvent):
    """A member redeemed a reward (`redemption`, pending; its points already taken)."""

    redemption_id: int
    redemption: Redemption = row()


@dataclass(frozen=True, kw_only=True)
class RedemptionDecided(DomainEvent):
    """Staff approved or refused `redemption` (its row locked, `status` the decision)."""

    redemption_id: int
    status: str
    redemption: Redemption = row()
