"""The question page for members: the thread is read once per change, for everyone.

`thread_cache` shares answers' HTML between viewers who see the same thing, but it still
read the whole thread (answers, comments, authors, last editors: six queries and some
300 model instances on a 50-answer page) and worked out every answer's digest from those
rows, on every request. Here the rows themselves are shared:

- **The snapshot**: the question (author, category, tags...), every answer that anyone
  may see (deleted and hidden ones too, for their authors and the moderators), their
  live comments and last editors, read with the same queries as before and kept in the
  default cache under the question, the question stream's last live event id
  (`live_since`, read first, as the page already does for its socket) and a random
  stamp. The contract is the anonymous page's (thread_cache.page_key): every change a
  reader could see is published on the question's stream by the service that makes it,
  which moves `live_since` and so the key; what is not published (a renamed author,
  reputation, "5 minutes ago") shows once the snapshot expires, after
  THREAD_PAGE_SECONDS. Setting that to 0 turns this off too (the page then reads the
  thread as before: the test settings do, as their services publish nothing).
- **The overlay**: what differs per viewer is worked out from the snapshot in Python with
  the predicates of `forum.permissions` (which answers and comments they see) plus one
  query for their own votes. Each answer's HTML is then keyed by the snapshot's stamp and
  only what is the viewer's: their role and privileges, the answer's `post_state` for
  them (computed once per kind of answer: theirs or not, deleted or not, their vote),
  which comments are theirs and deletable, the language. All keys of a page are read
  with one `get_many` (thread_cache.answer_fragments).

- **Per process**: unpickling a 50-answer snapshot costs some 5 ms, a good part of a
  page. So the cache holds it in two entries: a small head under the thread's key (the
  stamp and the view count, the one field that changes during a snapshot's life, see
  `count_view`) and the rows under the stamp. Each thread keeps the snapshots it
  unpickled last (a few, by key and stamp): a page whose head names one of them reads
  only the head. Per thread, not per process, because a page writes its viewer's overlay
  onto the rows (`visible_comment_list`, the view count) while it renders: two threads
  must never share those objects.

A warm page for a member therefore costs the session, the member, their votes and the
header's unread count: four queries whatever the number of answers, comments and votes.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import IntegerField, Prefetch, Q, Value
from django.http import Http404
from django.utils.translation import get_language

from core import roles
from forum import permissions, selectors
from forum.follows.models import Follow
from forum.models import Answer, Comment, Question, User, Vote
from forum.related import related_questions
from forum.templatetags.forum_posts import PostState, post_state
from forum.views.questions import thread_cache

KEY_VERSION = "3"  # 2: snapshots carry the related questions; 3: a head and the rows
# How many unpickled snapshots each thread keeps (the threads most recently read).
KEPT = 8
# The value that marks the follow row among the viewer's votes (votes are +1 or -1).
FOLLOWS = 2


@dataclass
class Snapshot:
    """Every row of a thread that some viewer may see, shared by all viewers."""

    stamp: str
    built: float  # time.time() when read from the database (any process)
    question: Question
    answers: list[Answer]  # in page order; each with `all_comments` and `last_editor`
    comments: list[Comment]  # the question's live comments, hidden ones included
    related: list[Question] = field(default_factory=list)  # forum.related, the same for all


def snapshot_seconds() -> int:
    return thread_cache.thread_page_seconds()


def head_key(pk: int, live_since: int) -> str:
    """The head's key: (stamp, built, view count)."""
    return f"thread-rows:{KEY_VERSION}:{pk}:{live_since}"


def _rows_key(pk: int, live_since: int, stamp: str) -> str:
    return f"thread-rows:{KEY_VERSION}:{pk}:{live_since}:{stamp}"


_local = threading.local()


def _kept() -> OrderedDict[tuple[str, str], Snapshot]:
    """This thread's last unpickled snapshots, by (head key, stamp), least recent first."""
    kept = getattr(_local, "snapshots", None)
    if kept is None:
        kept = _local.snapshots = OrderedDict()
    return kept


def _keep(key: str, snapshot: Snapshot) -> None:
    kept = _kept()
    kept[(key, snapshot.stamp)] = snapshot
    kept.move_to_end((key, snapshot.stamp))
    while len(kept) > KEPT:
        kept.popitem(last=False)


def _build(pk: int) -> Snapshot:
    """The thread as a moderator sees it (the widest view), or Http404 when there is no
    such question. Queries: the question, its tags, answers, their comments, the
    question's comments, the last editors when something was edited, and the related
    questions."""
    question = (
        Question.objects.select_related("author", "category", "closed_by", "duplicate_of")
        .prefetch_related("tags")
        .filter(pk=pk)
        .first()
    )
    if question is None:
        raise Http404
    live_comments = Comment.objects.filter(deleted_at__isnull=True).select_related("author")
    answers = list(
        question.answers.select_related("author")
        .prefetch_related(Prefetch("comments", queryset=live_comments, to_attr="all_comments"))
        .order_by("-score", "created_at", "pk")
    )
    # As selectors.question_thread: official answers first, then the accepted one.
    answers.sort(key=lambda a: (not a.is_official, a.pk != question.accepted_answer_id))
    comments = list(live_comments.filter(question=question))
    selectors.attach_last_editors(question=question, answers=answers)
    related = related_questions(question)
    return Snapshot(secrets.token_hex(8), time.time(), question, answers, comments, related)


def load(pk: int, live_since: int, *, again: bool = False) -> Snapshot | None:
    """The thread's snapshot since `live_since` (built and stored on a miss), or None
    when snapshots are off. Raises Http404 when the question does not exist.

    `again`: the page is being rendered again ahead of its expiry (thread_cache.page_due),
    so a snapshot that is due as well is read afresh, not reused for another lifetime."""
    seconds = snapshot_seconds()
    if seconds <= 0:
        return None
    key = head_key(pk, live_since)
    head = cache.get(key)
    if head is not None and again and thread_cache.page_due(head[1]):
        head = None
    snapshot = None
    if head is not None:
        stamp, _built, view_count = head
        snapshot = _kept().get((key, stamp))
        if snapshot is None:
            snapshot = cache.get(_rows_key(pk, live_since, stamp))
        if snapshot is not None:
            snapshot.question.view_count = view_count
    if snapshot is None:
        snapshot = _build(pk)
        head = (snapshot.stamp, snapshot.built, snapshot.question.view_count)
        cache.set_many({key: head, _rows_key(pk, live_since, snapshot.stamp): snapshot}, seconds)
    _keep(key, snapshot)
    return snapshot


def count_view(snapshot: Snapshot, live_since: int) -> None:
    """Store the snapshot's head again after its question's view was counted (its copy of
    the counter was bumped), so the next page shows the count as a fresh read would. It
    keeps its stamp (answers' HTML does not show the count) and its expiry."""
    left = snapshot_seconds() - (time.time() - snapshot.built)
    if left >= 1:
        head = (snapshot.stamp, snapshot.built, snapshot.question.view_count)
        cache.set(head_key(snapshot.question.pk, live_since), head, int(left))


# The viewer's overlay ---------------------------------------------------------------------


def _sees_post(user: User, post: Answer | Comment, moderator: bool) -> bool:
    """`permissions._visible_posts` / `visible_comments` for one row in memory (comments
    in a snapshot are never deleted)."""
    if moderator:
        return True
    if isinstance(post, Answer) and post.deleted_at is not None:
        return user.is_authenticated and post.author_id == user.pk
    if post.hidden_at is None:
        return True
    return user.is_authenticated and post.author_id == user.pk


def viewer_thread(snapshot: Snapshot, user: User) -> selectors.Thread:
    """What `selectors.question_thread` returns for `user`, from the snapshot: the answers
    and comments they may see and their own votes (one query, none when anonymous).

    Raises Http404 when they may not see the question (as `selectors.get_question`).
    """
    question = snapshot.question
    if not permissions.can_see_question(user, question):
        raise Http404
    moderator = roles.is_moderator(user)
    answers = [a for a in snapshot.answers if _sees_post(user, a, moderator)]
    for answer in answers:
        answer.visible_comment_list = [
            c for c in answer.all_comments if _sees_post(user, c, moderator)
        ]
    comments = [c for c in snapshot.comments if _sees_post(user, c, moderator)]
    my_votes: dict[tuple[str, int], int] = {}
    following = False
    if user.is_authenticated:
        # Their votes on the thread and whether they follow the question (the follow
        # button), in one query: a follow comes back as a row whose value no vote has.
        votes = Vote.objects.filter(voter=user).filter(
            Q(question=question) | Q(answer__question=question)
        )
        follows = (
            Follow.objects.filter(user=user, question=question)
            .annotate(no_answer=Value(None, IntegerField()), mark=Value(FOLLOWS, IntegerField()))
            .values_list("question_id", "no_answer", "mark")
            .order_by()
        )
        rows = (
            votes.values_list("question_id", "answer_id", "value")
            .order_by()
            .union(follows, all=True)
        )
        for question_id, answer_id, value in rows:
            if value == FOLLOWS:
                following = True
                continue
            key = ("question", question_id) if question_id else ("answer", answer_id)
            my_votes[key] = value
    return selectors.Thread(
        question=question,
        answers=answers,
        comments=comments,
        my_votes=my_votes,
        following=following,
    )


class AnswerKeys:
    """Cache keys of a page's answers for one viewer (thread_cache.answer_fragments).

    Everything an answer's partials show of the rows is fixed by the snapshot's stamp;
    the rest is the viewer's. `post_state` reads only the viewer, the answer's author, its
    deletion, the question's state (fixed by the stamp) and the viewer's vote, so it is
    worked out once per combination of those, not once per answer.
    """

    def __init__(self, snapshot: Snapshot, user: User, my_votes: dict) -> None:
        self.stamp = snapshot.stamp
        self.question = snapshot.question
        self.user = user
        self.my_votes = my_votes
        self.viewer = thread_cache._viewer(user)  # noqa: SLF001 - the same role digest
        self.states: dict[tuple, PostState] = {}
        self.deletable: dict[bool, bool] = {}
        self.common = (get_language(), settings.FORCE_SCRIPT_NAME, self.viewer)

    def _state(self, answer: Answer) -> PostState:
        mine = self.user.is_authenticated and answer.author_id == self.user.pk
        vote = self.my_votes.get(("answer", answer.pk), 0)
        kind = (mine, answer.deleted_at is None, vote)
        if kind not in self.states:
            self.states[kind] = post_state(answer, self.user, self.my_votes)
        return self.states[kind]

    def _comment(self, comment: Comment) -> tuple:
        mine = self.user.is_authenticated and comment.author_id == self.user.pk
        if mine not in self.deletable:
            self.deletable[mine] = permissions.can_delete_post(self.user, comment)
        return (comment.pk, mine, self.deletable[mine])

    def __call__(self, answer: Answer) -> str:
        material = (
            self.common,
            self._state(answer),
            answer.author_id == self.user.pk,
            tuple(self._comment(c) for c in answer.visible_comment_list),
        )
        digest = hashlib.blake2b(repr(material).encode(), digest_size=16).hexdigest()
        return (
            f"answer-html:{thread_cache.KEY_VERSION}:{thread_cache._PARTIALS}:"  # noqa: SLF001
            f"{answer.pk}:{self.stamp}:{digest}"
        )


def body_material(
    keys: AnswerKeys, thread: selectors.Thread, *, refusal: str, live_since: int, path: str
) -> tuple | None:
    """Everything the page's body shows for this viewer besides its answers (whose keys
    thread_cache adds), so that members who see the same body share it; or None when
    the body is this viewer's own: anonymous readers (the page cache serves them), the
    asker (their escalation's status) and advocates and staff (the escalation card), whose
    parts change without a publication on the question's stream."""
    user, question = keys.user, keys.question
    if not user.is_authenticated or user.pk == question.author_id or roles.is_insider(user):
        return None
    return (
        keys.stamp,
        live_since,
        path,
        keys.common,
        post_state(question, user, thread.my_votes),
        tuple(keys._comment(c) for c in thread.comments),  # noqa: SLF001
        thread.following,
        refusal,
    )
