"""The `moderation` live stream: advocates and staff (API.md, "Live socket").

`flag.created` / `flag.resolved` (and `item.claimed`, `item.released`,
`first_post.reviewed`) are published by `advocacy.services` after commit, with ids,
post keys and states only; the queue page fetches what it shows. Registered from
`AdvocacyConfig.ready()`.
"""

from __future__ import annotations

from core import roles
from live import streams

STREAM = "moderation"


def register() -> None:
    streams.register_for_members(STREAM, roles.is_moderator)
