"""The advocate programme's tunable eligibility rules (one row, edited in the admin).

Who is an advocate is `User.is_advocate`, set and cleared only by
`advocacy.services.programme`, which writes an audit row for each decision; the history of
approvals and revocations is therefore the audit log (`advocate.approve`,
`advocate.revoke`), not a table of its own.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The programme's audit acts (approve, revoke, close votes, suggestions) are registered
# when the models load, so the audit log knows them wherever it is read.
from advocacy.programme import actions  # noqa: F401
from core.models import SingletonModel

DEFAULT_MIN_REPUTATION = 3000
DEFAULT_MIN_ACCEPTED_ANSWERS = 25
DEFAULT_MIN_ACCOUNT_AGE_DAYS = 60
DEFAULT_CLEAN_RECORD_DAYS = 90
DEFAULT_MIN_VERDICT_ACCURACY = 80


class AdvocateRules(SingletonModel):
    """The thresholds a member must meet to appear among the advocate candidates.

    A single row (pk 1). Reads never write it: `advocacy.selectors.programme.rules()`
    returns the defaults, unsaved, until the manager saves the row in the admin.
    """

    min_reputation = models.PositiveIntegerField(
        _("minimum reputation"), default=DEFAULT_MIN_REPUTATION
    )
    min_accepted_answers = models.PositiveIntegerField(
        _("minimum accepted answers"), default=DEFAULT_MIN_ACCEPTED_ANSWERS
    )
    min_account_age_days = models.PositiveIntegerField(
        _("minimum account age (days)"), default=DEFAULT_MIN_ACCOUNT_AGE_DAYS
    )
    clean_record_days = models.PositiveIntegerField(
        _("no suspension in the last (days)"), default=DEFAULT_CLEAN_RECORD_DAYS
    )
    min_verdict_accuracy = models.PositiveSmallIntegerField(
        _("minimum accuracy of staff verdicts (%)"),
        default=DEFAULT_MIN_VERDICT_ACCURACY,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "Share of the member's answers judged correct by staff on the desk. Members "
            "with no judged answers are not held back by it."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta(SingletonModel.Meta):
        verbose_name = _("advocate eligibility rules")
        verbose_name_plural = _("advocate eligibility rules")
        constraints = [
            *SingletonModel.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(min_verdict_accuracy__lte=100),
                name="advocate_accuracy_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Advocate eligibility rules"))

    def save(self, *args: object, **kwargs: object) -> None:
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)
