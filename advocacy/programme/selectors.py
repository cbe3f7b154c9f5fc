"""Reads of the advocate programme: the rules in force, each member's evidence against
them, the candidates and the advocates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from advocacy import audit_actions
from advocacy.models import AdvocateRules, AuditEntry
from advocacy.programme import actions
from core import roles
from forum.models import Answer, User

# The candidates page shows at most this many members (the best reputations first).
CANDIDATES_LIMIT = 100

MET = "met"
UNMET = "unmet"
NOT_JUDGED = "not_judged"


def rules() -> AdvocateRules:
    """The rules the manager saved, or the defaults (unsaved) until they do."""
    return AdvocateRules.load()


@dataclass(frozen=True)
class Criterion:
    """One eligibility rule for one member: what they have against what is needed."""

    key: str
    label: str
    have: str
    need: str
    status: str  # MET, UNMET or NOT_JUDGED

    @property
    def met(self) -> bool:
        return self.status == MET


@dataclass(frozen=True)
class Eligibility:
    member: User
    criteria: tuple[Criterion, ...]

    @property
    def eligible(self) -> bool:
        """Every judged criterion met; a criterion that cannot be judged yet (no staff
        verdicts) neither qualifies nor disqualifies."""
        return all(c.status != UNMET for c in self.criteria)

    @property
    def unmet(self) -> list[Criterion]:
        return [c for c in self.criteria if c.status == UNMET]


def _accepted_answers() -> Subquery:
    """Live answers of the member accepted on live questions (a per-member subquery)."""
    rows = (
        Answer.objects.filter(
            author=OuterRef("pk"),
            deleted_at__isnull=True,
            accepted_for__isnull=False,
            accepted_for__deleted_at__isnull=True,
        )
        .order_by()
        .values("author")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _suspended_since(since: datetime) -> Q:
    """Members suspended at some point since `since`: a suspension still running or ended
    after it (`suspended_until`), or one recorded in the audit log after it (which also
    covers a suspension lifted early)."""
    audited = AuditEntry.objects.filter(
        action=audit_actions.MEMBER_SUSPEND,
        target_type=ContentType.objects.get_for_model(User),
        target_id=OuterRef("pk"),
        created_at__gte=since,
    )
    return Q(suspended_until__gte=since) | Q(Exists(audited))


def with_evidence(qs: QuerySet[User], *, now: datetime | None = None) -> QuerySet[User]:
    """Annotate `accepted_answers` and `recently_suspended` (two subqueries, one query)."""
    now = now or timezone.now()
    since = now - timedelta(days=rules().clean_record_days)
    return qs.annotate(
        accepted_answers=_accepted_answers(),
        recently_suspended=Exists(User.objects.filter(_suspended_since(since), pk=OuterRef("pk"))),
    )


def _verdict_accuracy(member: User) -> tuple[int, int] | None:
    """(correct, judged) from the staff desk's verdicts, or None before the desk exists."""
    try:
        from advocacy.desk.selectors import verdict_accuracy
    except ImportError:  # pragma: no cover - the desk area ships its selector separately
        return None
    return verdict_accuracy(member)


def _verdict_accuracies(members: list[User]) -> dict[int, tuple[int, int]] | None:
    """{member id: (correct, judged)} for many members in one query (None before the
    desk exists); members never judged are absent."""
    try:
        from advocacy.models.desk import AnswerVerdict
    except ImportError:  # pragma: no cover - the desk area ships its model separately
        return None
    rows = (
        AnswerVerdict.objects.filter(author__in=[m.pk for m in members])
        .values("author")
        .annotate(judged=Count("pk"), correct=Count("pk", filter=Q(verdict="correct")))
        .values_list("author", "correct", "judged")
    )
    return {author: (correct, judged) for author, correct, judged in rows}


_UNSET = object()


def evaluate(
    member: User,
    *,
    now: datetime | None = None,
    the_rules: AdvocateRules | None = None,
    accuracy: object = _UNSET,
) -> Eligibility:
    """`member`'s evidence against every rule. `member` should come from `with_evidence`
    (else it is read here, one query); `accuracy` is (correct, judged) when the caller
    read it for many members at once (`candidates`), else it is read here."""
    now = now or timezone.now()
    r = the_rules or rules()
    if not hasattr(member, "accepted_answers"):
        member = with_evidence(User.objects.filter(pk=member.pk), now=now).get()
    age_days = (now - member.date_joined).days
    criteria = [
        Criterion(
            "reputation",
            str(_("Reputation")),
            str(member.reputation),
            str(r.min_reputation),
            MET if member.reputation >= r.min_reputation else UNMET,
        ),
        Criterion(
            "accepted_answers",
            str(_("Accepted answers")),
            str(member.accepted_answers),
            str(r.min_accepted_answers),
            MET if member.accepted_answers >= r.min_accepted_answers else UNMET,
        ),
        Criterion(
            "account_age",
            str(_("Account age (days)")),
            str(age_days),
            str(r.min_account_age_days),
            MET if age_days >= r.min_account_age_days else UNMET,
        ),
        Criterion(
            "clean_record",
            ngettext(
                "No suspension in the last %(days)s day",
                "No suspension in the last %(days)s days",
                r.clean_record_days,
            )
            % {"days": r.clean_record_days},
            str(_("suspended")) if member.recently_suspended else str(_("clean")),
            str(r.clean_record_days),
            UNMET if member.recently_suspended else MET,
        ),
    ]
    if accuracy is _UNSET:
        accuracy = _verdict_accuracy(member)
    if accuracy is None or accuracy[1] == 0:
        criteria.append(
            Criterion(
                "verdict_accuracy",
                str(_("Accuracy of staff verdicts")),
                str(_("not yet judged")),
                f"{r.min_verdict_accuracy}%",
                NOT_JUDGED,
            )
        )
    else:
        correct, judged = accuracy
        # Compared in integers: correct / judged >= min% without rounding surprises.
        met = correct * 100 >= r.min_verdict_accuracy * judged
        criteria.append(
            Criterion(
                "verdict_accuracy",
                str(_("Accuracy of staff verdicts")),
                f"{correct * 100 // judged}% ({correct}/{judged})",
                f"{r.min_verdict_accuracy}%",
                MET if met else UNMET,
            )
        )
    return Eligibility(member=member, criteria=tuple(criteria))


def candidates(*, now: datetime | None = None, limit: int = CANDIDATES_LIMIT) -> list[Eligibility]:
    """Members who are not advocates yet and reach the reputation threshold, with their
    evidence, eligible ones first, then by reputation. Staff and disabled accounts are
    never candidates."""
    now = now or timezone.now()
    r = rules()
    members = with_evidence(
        User.objects.filter(
            ~roles.insider_q(),
            is_active=True,
            reputation__gte=r.min_reputation,
        ),
        now=now,
    ).order_by("-reputation", "pk")[:limit]
    members = list(members)
    accuracies = _verdict_accuracies(members)
    found = [
        evaluate(
            m,
            now=now,
            the_rules=r,
            accuracy=None if accuracies is None else accuracies.get(m.pk, (0, 0)),
        )
        for m in members
    ]
    found.sort(key=lambda e: not e.eligible)  # stable: reputation order within each group
    return found


def advocates() -> QuerySet[User]:
    """The advocates, best reputation first, with their accepted answers."""
    return with_evidence(User.objects.filter(is_advocate=True, is_active=True)).order_by(
        "-reputation", "pk"
    )


def last_decisions(members: list[User]) -> dict[int, AuditEntry]:
    """The latest approval of each advocate in `members` (one query), for "since"."""
    if not members:
        return {}
    rows = AuditEntry.objects.filter(
        action=actions.ADVOCATE_APPROVE,
        target_type=ContentType.objects.get_for_model(User),
        target_id__in=[m.pk for m in members],
    ).order_by("target_id", "-created_at", "-pk")
    latest: dict[int, AuditEntry] = {}
    for row in rows:
        latest.setdefault(row.target_id, row)
    return latest
