"""Everything that writes to the points ledger.

The `on_*` hooks answer the forum's domain events (`gamification.handlers`, subscribed
in-transaction), so they run *inside* the forum service's transaction, after it has
locked the post (or question) concerned, so two requests about the same post are
serialised before they get here. Each hook turns the change into award and reversal rows
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
Accepting locks the answers it pays for before the members (`on_answer_accepted`).

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
    on_answer_accepted,
    on_answer_posted,
    on_answer_unaccepted,
    on_comment_posted,
    on_flag_upheld,
    on_post_deleted,
    on_question_asked,
    on_vote_changed,
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
    "on_answer_accepted",
    "on_answer_unaccepted",
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
