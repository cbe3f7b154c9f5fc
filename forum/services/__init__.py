"""Everything that writes to the forum.

Each service is one transaction: it checks the permission, validates, writes the rows and
the denormalised counters (with F() under the row lock of the question or answer), and
returns what it wrote. Views, the API and commands call these; none writes to the ORM.

One module per verb: `asking`, `moderating` (close, reopen, lock), `answering`,
`accepting`, `commenting`, `voting`, `counters`, `profiles`, `viewing`; `_common` holds
the shared helpers and row locks. Import from the module that does the work
(`from forum.services.voting import cast_vote`); the names below are re-exported only
as a convenience for callers that write `services.cast_vote(...)`.
"""

from forum.services._common import (
    Post,
)
from forum.services.accepting import (
    accept_answer,
    unaccept_answer,
)
from forum.services.answering import (
    delete_answer,
    edit_answer,
    post_answer,
)
from forum.services.asking import (
    ask_question,
    delete_question,
    edit_question,
)
from forum.services.commenting import (
    delete_comment,
    post_comment,
)
from forum.services.counters import (
    repair_counters,
)
from forum.services.moderating import (
    close_locked_question,
    close_question,
    reopen_locked_question,
    reopen_question,
    set_question_lock,
)
from forum.services.profiles import (
    update_profile,
)
from forum.services.viewing import (
    VIEW_DEDUP_SECONDS,
    record_view,
)
from forum.services.voting import (
    cast_vote,
)

__all__ = [
    "Post",
    "ask_question",
    "edit_question",
    "delete_question",
    "close_question",
    "close_locked_question",
    "reopen_question",
    "reopen_locked_question",
    "set_question_lock",
    "post_answer",
    "edit_answer",
    "delete_answer",
    "accept_answer",
    "unaccept_answer",
    "post_comment",
    "delete_comment",
    "cast_vote",
    "repair_counters",
    "update_profile",
    "VIEW_DEDUP_SECONDS",
    "record_view",
]
