"""Staff find a fair-play case legitimate: the case is marked reviewed and what the
sweep took back is paid again.

Each award the sweep reversed in this case is paid again as a new award row (the
original and its reversal stay: the ledger is append-only), with no actor, so the sweep,
which only weighs awards from a member, never takes it back again, and with the award's
key, so withdrawing the vote later reverses it like any vote award. Nothing is paid
again for a vote that was withdrawn since, or whose key already has a standing award
(the member voted again and was paid). The points and the rewards balance move together
(`gamification.services._apply`, the one ledger writer).

Idempotent: the re-award happens only in the transaction that moves the case from open
to reviewed, under the case's row lock; a second call finds it reviewed and changes
nothing. LOCK ORDER as the sweep: the posts (questions, then answers), then the case,
then the members.
"""

from __future__ import annotations

from django.db import transaction

from forum.locks import lock_posts
from forum.models import User, Vote
from gamification import services as points
from gamification.fairplay import services
from gamification.fairplay.models import FairPlayCase, FairPlayEvidence
from gamification.fairplay.permissions import check_review_fair_play
from gamification.models import PointEvent

FAIR_PLAY_REAWARD = "fair play: legitimate"


def _vote_stands(award: PointEvent) -> bool:
    """Whether the vote that earned `award` (key `vote:<kind>:<post>:<voter>`) is still cast
    the same way."""
    try:
        _vote, kind, post_id, voter_id = award.key.split(":")
    except ValueError:
        return False
    post = {"question_id": int(post_id)} if kind == "question" else {"answer_id": int(post_id)}
    value = {"value__gt": 0} if award.points > 0 else {"value__lt": 0}
    return Vote.objects.filter(voter_id=int(voter_id), **post, **value).exists()


def find_case_legitimate(
    *, actor: User, case: FairPlayCase, note: str = ""
) -> tuple[FairPlayCase, list[PointEvent]]:
    """Mark the open case reviewed and pay back its reversed awards; returns the case and
    the award rows written. Raises PermissionDenied (not staff) and ValidationError (note
    too long, case already reviewed)."""
    check_review_fair_play(actor)
    with transaction.atomic():
        evidence = list(
            FairPlayEvidence.objects.filter(case_id=case.pk, reversal__isnull=False)
            .select_related("award", "reversal")
            .order_by("pk")
        )
        awards = [e.award for e in evidence]
        question_ids = sorted(
            {a.question_id for a in awards if a.answer_id is None and a.question_id}
        )
        answer_ids = sorted({a.answer_id for a in awards if a.answer_id})
        lock_posts(question_ids=question_ids, answer_ids=answer_ids)
        case = services.review_case(actor=actor, case=case, note=note)
        rows = []
        for item in evidence:
            award, taken = item.award, -item.reversal.points
            if taken <= 0 or not _vote_stands(award):
                continue
            if PointEvent.objects.active().filter(key=award.key, rule=award.rule).exists():
                continue
            rows.append(
                points._Row(  # noqa: SLF001 - rows for the one ledger writer
                    recipient_id=award.recipient_id,
                    actor_id=None,
                    rule=award.rule,
                    delta=taken,
                    key=award.key,
                    question_id=award.question_id,
                    answer_id=award.answer_id,
                    note=FAIR_PLAY_REAWARD,
                )
            )
        applied = points._apply(rows)  # noqa: SLF001
    return case, applied.events
