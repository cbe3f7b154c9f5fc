"""The `moderation` live stream: advocates and staff (API.md, "Live socket").

`flag.created` / `flag.resolved` (and `item.claimed`, `item.released`,
`first_post.reviewed`) are published by `advocacy.services` after commit, with ids,
post keys and states only; the queue page fetches what it shows. Registered from
`AdvocacyConfig.ready()`.
"""

from __future__ import annotations

from channels.db import database_sync_to_async

from core import roles
from live import streams
from live.streams import Denied

STREAM = "moderation"


@database_sync_to_async
def _may_moderate(user: object) -> bool:
    # Read the member again: an advocate revoked or suspended since login is refused.
    from forum.models import User

    fresh = User.objects.filter(pk=user.pk, is_active=True).first()
    return fresh is not None and roles.is_moderator(fresh)


async def authorise_moderation(user: object, arg: str | None) -> str:
    if arg is not None:
        raise Denied("unknown_stream")
    if not getattr(user, "is_authenticated", False):
        raise Denied("login_required")
    if not await _may_moderate(user):
        raise Denied("forbidden")
    return STREAM


def register() -> None:
    streams.register(STREAM, authorise_moderation)
