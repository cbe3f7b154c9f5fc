"""The `desk` live stream: staff only (API.md, "Live socket").

`escalation.created` / `escalation.updated` are published by
`advocacy.services.escalations` after commit, with ids and states only; the desk's
pages fetch what they show. Registered from `AdvocacyConfig.ready()`.
"""

from __future__ import annotations

from channels.db import database_sync_to_async

from live import streams
from live.streams import Denied

STREAM = "desk"


@database_sync_to_async
def _may_work_desk(user: object) -> bool:
    from advocacy.desk.permissions import can_work_desk

    return can_work_desk(user)


async def authorise_desk(user: object, arg: str | None) -> str:
    if arg is not None:
        raise Denied("unknown_stream")
    if not getattr(user, "is_authenticated", False):
        raise Denied("login_required")
    if not await _may_work_desk(user):
        raise Denied("forbidden")
    return STREAM


def register() -> None:
    streams.register(STREAM, authorise_desk)
