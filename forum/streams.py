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
from live.streams import Denied


async def _authorise_feed(user: object, arg: str | None) -> str:
    if arg is not None:
        raise Denied("unknown_stream")
    return "feed"


@database_sync_to_async
def _question_visible(user: object, pk: int) -> bool:
    return visible_questions(Question.objects.filter(pk=pk), user).exists()


async def _authorise_question(user: object, arg: str | None) -> str:
    if arg is None:
        raise Denied("unknown_stream")
    # Missing and hidden look the same, so a socket cannot probe for deleted questions.
    if not await _question_visible(user, int(arg)):
        raise Denied("not_found")
    return f"question.{int(arg)}"


def register() -> None:
    streams.register("feed", _authorise_feed)
    streams.register_for_members("lounge", roles.is_moderator)
    streams.register("question", _authorise_question)
