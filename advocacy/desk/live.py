"""The `desk` live stream: staff only (API.md, "Live socket").

`escalation.created` / `escalation.updated` are published by
`advocacy.services.escalations` after commit, with ids and states only; the desk's
pages fetch what they show. Registered from `AdvocacyConfig.ready()`.
"""

from __future__ import annotations

from advocacy.desk.permissions import can_work_desk
from live import streams

STREAM = "desk"


def register() -> None:
    streams.register_for_members(STREAM, can_work_desk)
