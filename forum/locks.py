"""Row locks on questions, answers, comments and members, taken in one order.

LOCK ORDER. Every transaction that locks more than one of these rows takes them in this
order, so two acts never wait on each other in a circle (proved on PostgreSQL by
tests/gamification/test_concurrency.py and the services' race tests):

1. the question (its row serialises everything on its thread);
2. then the answer, then the comment; several of a kind in primary-key order;
3. then the act's own rows (an escalation, a flag, a close vote, a fair-play case...);
4. members last, several in primary-key order (`gamification.services.ledger._apply`
   locks every recipient in one statement).

Posts and members are locked `FOR NO KEY UPDATE`: acts change their columns (a score,
the accepted answer, a deletion mark, reputation, suspension, an erasure's anonymised
fields), never their key, and the weaker lock does not block the `KEY SHARE` lock
PostgreSQL takes on a row when another transaction inserts or commits a row pointing at
it (a vote, a post, a ledger row, a deferred foreign-key check at COMMIT). With `FOR
UPDATE`, a vote committing (its foreign-key check on the question) while an acceptance
held the question and waited for the voted answer deadlocked. Two acts on one row still
exclude each other.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from forum.models import Answer, Question, User
from forum.posts import Post, thread_id


def lock_question(question_id: int, *, related: tuple[str, ...] = ()) -> Question:
    """The question's row, locked; `related` rows are joined but not locked."""
    qs = Question.objects.all()
    if related:
        qs = qs.select_related(*related).select_for_update(no_key=True, of=("self",))
    else:
        qs = qs.select_for_update(no_key=True)
    return qs.get(pk=question_id)


def lock_post(post: Post) -> Post:
    """The post's row, locked (re-read: current values)."""
    return type(post).objects.select_for_update(no_key=True).get(pk=post.pk)


def lock_thread(post: Post) -> None:
    """Lock the question of an answer's or a comment's thread (a question: nothing), to
    take it before the post's own row."""
    if not isinstance(post, Question):
        list(
            Question.objects.select_for_update(no_key=True)
            .filter(pk=thread_id(post))
            .values_list("pk")
        )


def lock_post_after_question(post: Post) -> Post:
    """Lock `post`, its thread's question first: the order accepting and deleting an
    answer take them in. A service that locked an answer and then wrote its question
    (last_activity_at) would deadlock with an acceptance of that answer."""
    lock_thread(post)
    return lock_post(post)


def lock_posts(*, question_ids: Iterable[int] = (), answer_ids: Iterable[int] = ()) -> None:
    """Lock several questions, then several answers, each in primary-key order."""
    for model, ids in ((Question, question_ids), (Answer, answer_ids)):
        ids = sorted(set(ids))
        if ids:
            list(
                model.objects.select_for_update(no_key=True)
                .filter(pk__in=ids)
                .order_by("pk")
                .values_list("pk")
            )


def locked_members(member_ids: Iterable[int]) -> QuerySet[User]:
    """The members' rows, locked FOR NO KEY UPDATE in primary-key order when evaluated."""
    return User.objects.select_for_update(no_key=True).filter(pk__in=set(member_ids)).order_by("pk")


def lock_member(member_id: int) -> User:
    """One member's row, locked FOR NO KEY UPDATE (re-read: current values)."""
    return locked_members([member_id]).get()
