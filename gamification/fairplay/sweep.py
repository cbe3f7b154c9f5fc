"""The fair-play sweep: find serial voting and vote rings that slipped past the checks
made as votes arrive, take their points back with reversal rows, and record the cases.

What slips through: the limits were higher when the votes were cast (a manager lowered
them), or two members upvoted each other at the same instant (each vote holds only its
own recipient's row lock, so neither saw the other), or one member's upvotes to another
raced ahead before the other upvoted back (the ring only shows once both directions
reach the limit). The sweep enforces the rules on the whole window:

- Serial voting: of one voter's standing vote awards to one member in the last 24 hours,
  only the first `serial_vote_limit` paid ones keep their points.
- Rings: between members who upvoted each other (two both ways, or three in a circle)
  at least `ring_vote_limit` times along every edge of the ring within the ring window,
  with more than that on some edge, only the first `ring_vote_limit` paid upvotes of
  each edge keep their points.

Every pattern becomes (or adds to) an open `FairPlayCase` listing all the vote awards
involved, including those the live checks already left unpaid, so staff see the whole
picture. Reversals are new ledger rows noted "fair play"; nothing is edited. Running the
sweep twice reverses once: the second run finds the awards already reversed (and the
ledger's one-to-one `reversal_of` and the evidence's unique constraints are the
backstop). Each pattern is settled in its own transaction, locking its posts (questions,
then answers) before the members, the LOCK ORDER of `gamification.services`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from forum.locks import lock_posts
from gamification import rules
from gamification import services as points
from gamification.fairplay.detection import (
    FAIR_PLAY_REVERSAL,
    UPVOTE_RULES,
    fair_play_tuning,
)
from gamification.fairplay.models import FairPlayCase, FairPlayEvidence
from gamification.models import PointEvent
from gamification.services.ledger import SERIAL_WINDOW, VOTE_RULES

logger = logging.getLogger(__name__)

Edge = tuple[int, int]  # (voter id, recipient id)


@dataclass(frozen=True)
class Pattern:
    kind: str
    signature: str
    edges: tuple[Edge, ...]
    rule_keys: tuple[str, ...]
    since: datetime
    limit: int  # paid awards each edge keeps

    @property
    def voters(self) -> set[int]:
        return {voter for voter, _ in self.edges}

    @property
    def targets(self) -> set[int]:
        return {target for _, target in self.edges}


@dataclass
class SweepReport:
    cases: list[int] = field(default_factory=list)  # ids of the cases opened or added to
    reversed: int = 0  # reversal rows written
    points: int = 0  # points taken back (sum of the reversed awards' points)

    def as_dict(self) -> dict[str, object]:
        return {"cases": self.cases, "reversed": self.reversed, "points": self.points}


def _vote_awards(rule_keys: tuple[str, ...], since: datetime):  # noqa: ANN202
    """Standing vote awards from a member to a post's author since `since`."""
    return (
        PointEvent.objects.active()
        .filter(rule__in=rule_keys, created_at__gte=since, key__startswith="vote:")
        .exclude(actor_id__isnull=True)
    )


def _edge_counts(rule_keys: tuple[str, ...], since: datetime, at_least: int) -> dict[Edge, int]:
    rows = (
        _vote_awards(rule_keys, since)
        .values("actor_id", "recipient_id")
        .annotate(n=Count("key", distinct=True))
        .filter(n__gte=at_least)
        .values_list("actor_id", "recipient_id", "n")
    )
    return {(a, r): n for a, r, n in rows if a != r}


def find_patterns(now: datetime | None = None) -> list[Pattern]:
    """Every serial-voting pair and vote ring beyond its limit in its window."""
    now = now or timezone.now()
    fair = fair_play_tuning()
    found: list[Pattern] = []

    serial_limit = rules.tuning().serial_vote_limit
    since = now - SERIAL_WINDOW
    for voter, target in sorted(_edge_counts(VOTE_RULES, since, serial_limit + 1)):
        found.append(
            Pattern(
                FairPlayCase.Kind.SERIAL,
                f"serial:{voter}>{target}",
                ((voter, target),),
                VOTE_RULES,
                since,
                serial_limit,
            )
        )

    limit = fair.ring_vote_limit
    since = now - fair.ring_window
    edges = _edge_counts(UPVOTE_RULES, since, limit)
    for a, b in sorted(edges):
        if a < b and (b, a) in edges and max(edges[(a, b)], edges[(b, a)]) > limit:
            found.append(
                Pattern(
                    FairPlayCase.Kind.RING,
                    f"ring:{a},{b}",
                    ((a, b), (b, a)),
                    UPVOTE_RULES,
                    since,
                    limit,
                )
            )
    if fair.rings_of_three:
        out: dict[int, set[int]] = defaultdict(set)
        for a, b in edges:
            out[a].add(b)
        for a in sorted(out):
            for b in sorted(out[a]):
                for c in sorted(out.get(b, ())):
                    # Each circle once: from its lowest member.
                    if a < b and a < c and b != c and a in out.get(c, ()):
                        circle = ((a, b), (b, c), (c, a))
                        if max(edges[e] for e in circle) > limit:
                            found.append(
                                Pattern(
                                    FairPlayCase.Kind.RING,
                                    f"ring:{a}>{b}>{c}",
                                    circle,
                                    UPVOTE_RULES,
                                    since,
                                    limit,
                                )
                            )
    return found


def _to_reverse(awards: list[PointEvent], edges: tuple[Edge, ...], limit: int) -> list[PointEvent]:
    """Per edge, the paid awards after the first `limit` paid ones (oldest first)."""
    paid: dict[Edge, list[PointEvent]] = defaultdict(list)
    for award in awards:
        if award.points:
            paid[(award.actor_id, award.recipient_id)].append(award)
    excess: list[PointEvent] = []
    for edge in edges:
        excess += paid[edge][limit:]
    return excess


def _unchanged(pattern: Pattern, edge_filter: dict) -> FairPlayCase | None:
    """The pattern's open case when nothing is to be reversed and no vote is new to it (a
    pattern the live checks stopped is found again by every sweep while it stays in the
    window): then the sweep takes no lock and writes nothing."""
    edges = set(pattern.edges)
    awards = [
        award
        for award in _vote_awards(pattern.rule_keys, pattern.since)
        .filter(**edge_filter)
        .order_by("created_at", "pk")
        if (award.actor_id, award.recipient_id) in edges
    ]
    if _to_reverse(awards, pattern.edges, pattern.limit):
        return None
    case = FairPlayCase.objects.filter(
        signature=pattern.signature, status=FairPlayCase.Status.OPEN
    ).first()
    if case is None:
        return None
    known = set(FairPlayEvidence.objects.filter(case=case).values_list("award_id", flat=True))
    return case if all(award.pk in known for award in awards) else None


def settle(pattern: Pattern, now: datetime | None = None) -> tuple[FairPlayCase, int, int]:
    """Reverse the pattern's excess and record it in its open case, in one transaction.

    Returns (case, reversal rows written, points taken back).
    """
    now = now or timezone.now()
    edge_filter = {"actor_id__in": pattern.voters, "recipient_id__in": pattern.targets}
    unchanged = _unchanged(pattern, edge_filter)
    if unchanged is not None:
        return unchanged, 0, 0
    with transaction.atomic():
        # LOCK ORDER: the posts first (questions, then answers), as the vote services take
        # them, so a vote withdrawn meanwhile and this sweep cannot both reverse an award.
        candidates = list(
            _vote_awards(pattern.rule_keys, pattern.since)
            .filter(**edge_filter)
            .values_list("question_id", "answer_id")
        )
        question_ids = sorted({q for q, a in candidates if a is None and q})
        answer_ids = sorted({a for _q, a in candidates if a})
        lock_posts(question_ids=question_ids, answer_ids=answer_ids)
        edges = set(pattern.edges)
        awards = [
            award
            for award in _vote_awards(pattern.rule_keys, pattern.since)
            .filter(**edge_filter)
            .order_by("created_at", "pk")
            if (award.actor_id, award.recipient_id) in edges
        ]
        excess = _to_reverse(awards, pattern.edges, pattern.limit)
        rows = [points._reversal(award, None) for award in excess]  # noqa: SLF001
        for row in rows:
            row.note = FAIR_PLAY_REVERSAL
        applied = points._apply(rows)  # noqa: SLF001 - the one ledger writer
        reversal_of = {event.reversal_of_id: event for event in applied.events}
        taken = -sum(event.points for event in applied.events)

        case = (
            FairPlayCase.objects.select_for_update()
            .filter(signature=pattern.signature, status=FairPlayCase.Status.OPEN)
            .first()
        )
        if case is None:
            try:
                with transaction.atomic():
                    case = FairPlayCase.objects.create(
                        kind=pattern.kind,
                        signature=pattern.signature,
                        detected_at=now,
                        last_seen_at=now,
                    )
            except IntegrityError:  # another sweep opened it first
                case = FairPlayCase.objects.select_for_update().get(
                    signature=pattern.signature, status=FairPlayCase.Status.OPEN
                )
        case.voters.add(*pattern.voters)
        case.targets.add(*pattern.targets)
        known = dict(
            FairPlayEvidence.objects.filter(case=case).values_list("award_id", "reversal_id")
        )
        FairPlayEvidence.objects.bulk_create(
            [
                FairPlayEvidence(case=case, award=award, reversal=reversal_of.get(award.pk))
                for award in awards
                if award.pk not in known
            ]
        )
        for award_id, reversal in reversal_of.items():
            if award_id in known and known[award_id] is None:
                FairPlayEvidence.objects.filter(case=case, award_id=award_id).update(
                    reversal=reversal
                )
        case.vote_count = FairPlayEvidence.objects.filter(case=case).count()
        case.points_reversed += taken
        case.last_seen_at = now
        case.save(update_fields=["vote_count", "points_reversed", "last_seen_at"])
    return case, len(applied.events), taken


def sweep_fair_play(now: datetime | None = None) -> SweepReport:
    """Find every pattern and settle each; idempotent (see the module docstring)."""
    report = SweepReport()
    for pattern in find_patterns(now):
        case, reversed_rows, taken = settle(pattern, now)
        report.cases.append(case.pk)
        report.reversed += reversed_rows
        report.points += taken
    if report.reversed:
        logger.info(
            "Fair play sweep: %d cases, %d awards reversed (%d points)",
            len(report.cases),
            report.reversed,
            report.points,
        )
    return report
