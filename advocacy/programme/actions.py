"""The audit log's acts of the advocate programme and of community self-moderation,
registered when the models load (advocacy.models.programme imports this module), so the
audit page can filter by them and `audit.record` accepts them."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from core.audit import register

ADVOCATE_APPROVE = register("advocate.approve", pgettext_lazy("audit action", "advocate approved"))
ADVOCATE_REVOKE = register("advocate.revoke", pgettext_lazy("audit action", "advocate revoked"))
CLOSE_VOTE = register("question.close_vote", pgettext_lazy("audit action", "vote to close"))
REOPEN_VOTE = register("question.reopen_vote", pgettext_lazy("audit action", "vote to reopen"))
CLOSED_BY_VOTES = register(
    "question.closed_by_votes", pgettext_lazy("audit action", "question closed by votes")
)
REOPENED_BY_VOTES = register(
    "question.reopened_by_votes", pgettext_lazy("audit action", "question reopened by votes")
)
SUGGESTION_APPROVE = register(
    "suggestion.approve", pgettext_lazy("audit action", "edit suggestion approved")
)
SUGGESTION_REJECT = register(
    "suggestion.reject", pgettext_lazy("audit action", "edit suggestion rejected")
)
