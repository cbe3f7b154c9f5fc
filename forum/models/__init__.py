"""The forum's models, one module per subject; import them from here (`forum.models`).

- `members`: `User`;
- `categories`: `Category`;
- `posts`: `Question`, `Answer`, `Comment`, their limits and `CloseReason`;
- `votes`: `Vote`, `Revision`;
- `notifications`: `Notification` (the bell).

Counters (score, answer_count, comment_count) are denormalised and only ever changed by
the services in `forum.services` with `F()` expressions, inside the transaction that
writes the rows they count; `forum.selectors.counter_drift` checks them.
"""

# Follows live in their own module (forum.follows); imported here so Django registers them.
# The deflection counter (signed-out views of solved threads), likewise.
from forum.deflection import SolvedThreadView  # noqa: E402, F401
from forum.follows.models import Follow  # noqa: E402, F401
from forum.models.categories import Category
from forum.models.members import ERASED_USERNAME_PREFIX, User
from forum.models.notifications import Notification
from forum.models.posts import (
    ANSWER_MIN_LENGTH,
    BODY_MAX_LENGTH,
    BODY_MIN_LENGTH,
    COMMENT_MAX_LENGTH,
    COMMENT_MIN_LENGTH,
    TAG_MAX_LENGTH,
    TAGS_MAX,
    TAGS_MIN,
    TITLE_MAX_LENGTH,
    TITLE_MIN_LENGTH,
    Answer,
    CloseReason,
    Comment,
    PostQuerySet,
    Question,
)
from forum.models.votes import Revision, Vote
from forum.tag_info import TagInfo  # noqa: E402, F401

__all__ = [
    "ANSWER_MIN_LENGTH",
    "BODY_MAX_LENGTH",
    "BODY_MIN_LENGTH",
    "COMMENT_MAX_LENGTH",
    "COMMENT_MIN_LENGTH",
    "ERASED_USERNAME_PREFIX",
    "TAGS_MAX",
    "TAGS_MIN",
    "TAG_MAX_LENGTH",
    "TITLE_MAX_LENGTH",
    "TITLE_MIN_LENGTH",
    "Answer",
    "Category",
    "CloseReason",
    "Comment",
    "Follow",
    "Notification",
    "PostQuerySet",
    "Question",
    "Revision",
    "SolvedThreadView",
    "TagInfo",
    "User",
    "Vote",
]
