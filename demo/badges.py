"""Badges for the seeded community (called by `demo.seeding.seed_demo`).

The seeder writes posts, votes and acceptances in bulk, around the services, so the
points hooks that award badges never ran. Here the real badge engine
(`gamification.badge_awards.evaluate`) is run once per member and trigger, on the member's own
content, exactly as the hooks would after the last such event: asked, answered,
commented, voted, had an answer accepted, and had a post scored (each post at or above
the lowest score threshold, plus the member's best answer with every tag they answered
in, for the tag badges). The engine decides; nothing is inserted by hand. Awards notify
the member's bell as in real life; the live events they queue are dropped (nobody is
connected while the demo is seeded, and publishing hundreds of them is most of the cost).

A few queries per member (the engine's own); deterministic: members and posts are
visited in primary-key order.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F, Min

from forum.models import Answer, Comment, Question, User, Vote
from gamification import badge_awards, badges, leaderboards
from gamification.badges import Event
from gamification.rules import tuning


def _lowest(keys: tuple[str, ...]) -> int:
    stored = tuning().badges
    thresholds = [
        stored.get(key, (True, badges.BADGES[key].threshold))[1]
        for key in keys
        if key in badges.BADGES
    ]
    return min((t for t in thresholds if t is not None), default=1)


def award_seeded_badges() -> int:
    """Run the badge engine over every member's seeded activity; returns the awards."""
    members = {u.pk: u for u in User.objects.filter(is_active=True).order_by("pk")}
    live_q = Question.objects.filter(deleted_at__isnull=True)
    live_a = Answer.objects.filter(deleted_at__isnull=True, question__deleted_at__isnull=True)
    first_q = dict(live_q.values("author").annotate(pk=Min("pk")).values_list("author", "pk"))
    first_a = dict(live_a.values("author").annotate(pk=Min("pk")).values_list("author", "pk"))
    accepted = dict(
        live_a.filter(accepted_for__isnull=False)
        .exclude(question__author=F("author"))
        .values("author")
        .annotate(pk=Min("pk"))
        .values_list("author", "pk")
    )
    commenters = set(
        Comment.objects.filter(deleted_at__isnull=True).values_list("author", flat=True)
    )
    voters = set(Vote.objects.filter(value__gt=0).values_list("voter", flat=True))
    answer_floor = _lowest(("good-answer", "great-answer"))
    question_floor = _lowest(("well-received",))
    scored_answers = list(
        live_a.filter(score__gte=answer_floor).order_by("pk").values_list("pk", flat=True)
    )
    scored_questions = list(
        live_q.filter(score__gte=question_floor).order_by("pk").values_list("pk", flat=True)
    )
    # For the tag badges: each answerer's best answer and the tags of every question
    # they answered (the engine sums the answer scores per tag itself).
    best: dict[int, int] = {}
    answered_in: dict[int, set[int]] = defaultdict(set)
    for pk, author, question_id in (
        live_a.filter(score__gt=0).order_by("-score", "pk").values_list("pk", "author", "question")
    ):
        best.setdefault(author, pk)
        answered_in[author].add(question_id)
    tags_of = leaderboards.question_tags(sorted({q for qs in answered_in.values() for q in qs}))

    answers = Answer.objects.in_bulk([*first_a.values(), *accepted.values(), *best.values(),
                                      *scored_answers])  # fmt: skip
    questions = Question.objects.in_bulk([*first_q.values(), *scored_questions])
    for post in answers.values():
        if post.question_id in questions:
            post.question = questions[post.question_id]

    awarded = 0
    with transaction.atomic():
        hooks = len(connection.run_on_commit)
        for pk, member in members.items():
            events = []
            # The first-step badges (Curious, First answer, Supporter) go to the demo
            # accounts only: on every generated member they would be most of the seed's
            # cost (an award and a bell notification each) and tell no story.
            if not member.username.startswith("demo-"):
                first_q.pop(pk, None)
                first_a.pop(pk, None)
                voters.discard(pk)
            if pk in first_q:
                events.append(Event(badges.ASKED, member=member, question=questions[first_q[pk]]))
            if pk in first_a:
                events.append(Event(badges.ANSWERED, member=member, answer=answers[first_a[pk]]))
            if pk in commenters:
                events.append(Event(badges.COMMENTED, member=member))
            if pk in voters:
                events.append(Event(badges.VOTED, member=member, value=1))
            if pk in accepted:
                events.append(Event(badges.ACCEPTED, member=member, answer=answers[accepted[pk]]))
            if pk in best:
                tag_ids = sorted({t for q in answered_in[pk] for t in tags_of.get(q, [])})
                post = answers[best[pk]]
                events.append(
                    Event(
                        badges.SCORED, member=member, post=post, score=post.score, tag_ids=tag_ids
                    )
                )
            for event in events:
                awarded += len(badge_awards.evaluate(event))
        for post in [*(answers[pk] for pk in scored_answers),
                     *(questions[pk] for pk in scored_questions)]:  # fmt: skip
            member = members.get(post.author_id)
            if member is None or (post.pk == best.get(member.pk) and isinstance(post, Answer)):
                continue
            event = Event(badges.SCORED, member=member, post=post, score=post.score)
            awarded += len(badge_awards.evaluate(event))
        # Quiet, like the rest of the seed: nobody is listening yet, so the live events
        # the awards queued for after the commit (toasts, bell counts) are dropped.
        del connection.run_on_commit[hooks:]
    return awarded
