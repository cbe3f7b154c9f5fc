"""Everything that writes to the points ledger.

The hooks answer the forum's domain events (`gamification.handlers`): votes and
acceptances are settled after the forum's transaction commits, each in a transaction of
its own that locks the post (or question) concerned first, as the forum does, so two
settlements about the same post are serialised; a deletion's reversal runs inside the
deleting transaction. Each hook turns the change into award and reversal rows
and hands them to `_apply`, which locks the members' rows, applies the daily cap, writes
the rows and moves the cached reputation with `F()`. See `gamification.models` for the
arithmetic.

LOCK ORDER (proved by tests/gamification/test_concurrency.py on PostgreSQL): question,
then answer, then members. The forum services lock posts first; members are locked last,
all in one statement in primary-key order, and `FOR NO KEY UPDATE`, which does not block
the `KEY SHARE` locks PostgreSQL takes on a member row when another transaction inserts a
row pointing at it (a vote, a ledger row): with plain `FOR UPDATE`, two members voting on
each other's posts would deadlock. For the same reason the ledger's and the badges' links
to questions and answers carry no database constraint: a vote on an answer would otherwise
take a lock on its question while holding the answer, the opposite order to accepting.
Settling an acceptance locks the answers it pays for before the members (`settle_acceptance`).

Modules: `ledger` (rows, caps, `_apply`: the one ledger writer), `hooks` (the `on_*`
hooks run by `gamification.handlers`), `staff` (verified answers, adjustments),
`balances` (opening balances, recompute, point settings). The names below are
re-exported only as a convenience.
"""

from gamification.services.balances import (
    recompute_reputation,
    record_opening_balances,
    update_point_settings,
)
from gamification.services.hooks import (
    on_answer_posted,
    on_comment_posted,
    on_flag_upheld,
    on_post_deleted,
    on_question_asked,
    on_vote_changed,
    settle_acceptance,
    settle_vote,
    vote_badges,
)
from gamification.services.ledger import (
    SERIAL_VOTING,
    SERIAL_WINDOW,
    VOTE_RULES,
    Applied,
    Post,
    _apply,
    _reversal,
    _Row,
    vote_key,
)
from gamification.services.staff import (
    ADJUSTMENT_LIMIT,
    adjust_reputation,
    award_verified_answer,
    revoke_verified_answer,
)

__all__ = [
    "Post",
    "SERIAL_WINDOW",
    "SERIAL_VOTING",
    "VOTE_RULES",
    "_Row",
    "Applied",
    "_reversal",
    "_apply",
    "vote_key",
    "on_vote_changed",
    "settle_vote",
    "vote_badges",
    "settle_acceptance",
    "on_post_deleted",
    "on_question_asked",
    "on_answer_posted",
    "on_comment_posted",
    "on_flag_upheld",
    "award_verified_answer",
    "revoke_verified_answer",
    "ADJUSTMENT_LIMIT",
    "adjust_reputation",
    "record_opening_balances",
    "recompute_reputation",
    "update_point_settings",
]
