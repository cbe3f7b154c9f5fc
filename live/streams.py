"""Stream names, their channel-layer groups, and who may subscribe to what.

A client names a stream (`feed`, `question.12`, `user`, `desk`, `moderation`); the
server authorises the name for the socket's member and maps it to the internal stream
key that events are published to and stored under. Only `user` differs: it maps to the
member's own `user.<id>`, so a client can never name another member's stream.

Apps add streams from `AppConfig.ready()`. A stream for some members only (the desk,
the moderation queue, the advocates' lounge) is one line with the app's permission:

    streams.register_for_members("desk", can_work_desk)

Any other rule (a stream per object, like `question.<id>`) registers its own
`authorise(user, arg)` with `register(prefix, authorise)`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

# Lower-case words, optionally followed by a numeric id. Channel-layer group names allow
# [A-Za-z0-9._-] up to 100 characters; everything this accepts maps to a valid one.
STREAM_RE = re.compile(r"^[a-z][a-z_-]{0,30}(?:\.[0-9]{1,18})?$")

Authoriser = Callable[[object, str | None], Awaitable[str]]
_AUTHORISERS: dict[str, Authoriser] = {}


class Denied(Exception):  # noqa: N818 - reads as "raise Denied(reason)"
    """A subscription was refused; `reason` is the machine-readable code sent to the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def group_name(stream: str) -> str:
    """The channel-layer group of an internal stream key: `question.12` -> `s.question.12`."""
    return f"s.{stream}"


def user_stream(user_id: int) -> str:
    """The internal key of a member's private stream (the client calls it `user`)."""
    return f"user.{user_id}"


def public_name(stream: str) -> str:
    """What clients call an internal stream key (what the frames' `stream` field says)."""
    return "user" if stream.startswith("user.") else stream


def register(prefix: str, authorise: Authoriser) -> None:
    """Make `<prefix>` / `<prefix>.<id>` subscribable, guarded by `authorise(user, id)`.

    `authorise` returns the internal stream key or raises Denied; it runs on the event
    loop, so database access goes through `database_sync_to_async`.
    """
    if not re.fullmatch(r"[a-z][a-z_-]{0,30}", prefix):
        raise ValueError(f"Bad stream prefix: {prefix!r}")
    _AUTHORISERS[prefix] = authorise


def register_for_members(name: str, allowed: Callable[[object], bool]) -> None:
    """Make the single stream `name` (no id) subscribable by logged-in members for whom
    `allowed(member)` holds (a `can_*` permission). The member's row is read again, so
    one deactivated, suspended or demoted since the socket logged in is refused.
    Refusals: `unknown_stream` (an id given), `login_required`, `forbidden`."""

    @database_sync_to_async
    def _allowed(user: object) -> bool:
        fresh = get_user_model().objects.filter(pk=user.pk, is_active=True).first()
        return fresh is not None and allowed(fresh)

    async def authorise_member(user: object, arg: str | None) -> str:
        if arg is not None:
            raise Denied("unknown_stream")
        if not getattr(user, "is_authenticated", False):
            raise Denied("login_required")
        if not await _allowed(user):
            raise Denied("forbidden")
        return name

    register(name, authorise_member)


def unregister(prefix: str) -> None:
    _AUTHORISERS.pop(prefix, None)


async def authorise(user: object, name: object) -> str:
    """Map a client's stream name to the internal key, or raise Denied."""
    if not isinstance(name, str) or not STREAM_RE.match(name):
        raise Denied("unknown_stream")
    prefix, _dot, arg = name.partition(".")
    check = _AUTHORISERS.get(prefix)
    if check is None:
        raise Denied("unknown_stream")
    return await check(user, arg or None)


# Built-in streams (the forum registers `feed`, `lounge` and `question`: forum.streams) ----


async def _authorise_user(user: object, arg: str | None) -> str:
    if arg is not None:
        raise Denied("forbidden")  # `user.<id>`: another member's stream, or one's own by id
    if not getattr(user, "is_authenticated", False):
        raise Denied("login_required")
    return user_stream(user.pk)


register("user", _authorise_user)
