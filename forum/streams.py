"""The forum's live streams, registered with the live layer by ForumConfig.ready().

- `feed`: new and changed public questions, anyone.
- `lounge`: the advocates' lounge's list stream (questions of private categories),
  moderators only, so a lounge question is never announced to the public `feed`.
- `question.<id>`: one question's page, whoever may see that question.
"""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async

from core import roles
from forum.models import Question
from forum.permissions import visible_questions
from live import streams
from live.streams import Denied


async def _authorise_feed(user: object, arg: str | None) -> str:
    if arg is not None:
        raise Denied("unknown_stream")
    return "feed"


@database_sync_to_async
def _question_visible(user: object, pk: int) -> bool:
    return visible_questions(Question.objects.filter(pk=pk), user).exists()


# Checks in flight, by (question, member or None for anonymous): a subscription asking
# what one already being checked asks waits for that answer instead of a query of its
# own. Under a reconnect storm (bench/p4_storm.py: 1,000 viewers of one question) the
# checks otherwise queue one after the other in the database thread, each opening its
# own connection. Nothing is kept once a check is answered: the next subscription asks
# the database again, so a question hidden a moment ago is refused as before; a request
# that joins a check in flight gets an answer at most one query old.
_checking: dict[tuple[int, int | None], asyncio.Task[bool]] = {}


async def _visible(user: object, pk: int) -> bool:
    key = (pk, user.pk if getattr(user, "is_authenticated", False) else None)
    check = _checking.get(key)
    if check is None or check.get_loop() is not asyncio.get_running_loop():
        # A task of its own, so a subscriber that goes away (its socket closed, its task
        # cancelled) does not cancel the answer the others wait for.
        check = asyncio.ensure_future(_question_visible(user, pk))
        _checking[key] = check
        check.add_done_callback(lambda done: _forget(key, done))
    return await asyncio.shield(check)


def _forget(key: tuple[int, int | None], done: asyncio.Task[bool]) -> None:
    if _checking.get(key) is done:
        del _checking[key]
    if not done.cancelled():
        done.exception()  # retrieved: no "never retrieved" warning when nobody waited


async def _authorise_question(user: object, arg: str | None) -> str:
    if arg is None:
        raise Denied("unknown_stream")
    # Missing and hidden look the same, so a socket cannot probe for deleted questions.
    if not await _visible(user, int(arg)):
        raise Denied("not_found")
    return f"question.{int(arg)}"


def register() -> None:
    streams.register("feed", _authorise_feed)
    streams.register_for_members("lounge", roles.is_moderator)
    streams.register("question", _authorise_question)
