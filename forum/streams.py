"""The forum's live streams, registered with the live layer by ForumConfig.ready().

- `feed`: new and changed public questions, anyone.
- `lounge`: the advocates' lounge's list stream (questions of private categories),
  moderators only, so a lounge question is never announced to the public `feed`.
- `question.<id>`: one question's page, whoever may see that question.
"""

from __future__ import annotations

from channels.db import database_sync_to_async

from core import roles
from forum.models import Question
from forum.permissions import visible_questions
from live import streams
from live.batching import CombinedReads
from live.streams import Denied


async def _authorise_feed(user: object, arg: str | None) -> str:
    if arg is not None:
        raise Denied("unknown_stream")
    return "feed"


@database_sync_to_async
def _questions_visible(user: object, pks: list[int]) -> dict[int, bool]:
    visible = set(
        visible_questions(Question.objects.filter(pk__in=pks), user).values_list("pk", flat=True)
    )
    return {pk: pk in visible for pk in pks}


# One query answers the subscriptions asked together, by the same member (or by anonymous
# viewers). After a deploy every open page reconnects within a second or two: checked one
# by one, their queries queued one after the other in the database thread, and a storm
# of 1,000 viewers spread over 250 questions waited 0.8 s at the median (bench/p4_storm.py).
# Nothing is kept once a check is answered: the next subscription asks the database again,
# so a question hidden a moment ago is refused as before; a subscription whose question is
# in the query in flight takes that query's answer, at most one query old.
_checks: CombinedReads[int, bool] = CombinedReads(_questions_visible)


async def _visible(user: object, pk: int) -> bool:
    # Members are equal when their ids are, and every anonymous user is equal to another.
    return await _checks.get(user, pk)


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
