"""Demo data for follows and the health dashboard (called by `demo.seeding.seed_demo`).

A few members follow tags, categories and their own threads, solved threads get
signed-out views over the last weeks and every question gets its dashboard row
(`QuestionHealth`), so the dashboard and the "What you follow" page show something real.
Deterministic for a given anchor.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from taggit.models import Tag

from advocacy.health import facts as health_facts
from forum.deflection import SolvedThreadView
from forum.follows.models import Follow
from forum.models import Category, Question, User

DEMO_FOLLOWERS = ("demo-customer", "demo-helper", "demo-advocate")
VIEW_DAYS = 60
MAX_VIEWED_THREADS = 400


def seed_health(*, anchor: dt.datetime, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    members = list(User.objects.filter(username__in=DEMO_FOLLOWERS).order_by("username"))
    tags = list(Tag.objects.order_by("name")[:40])
    categories = list(Category.objects.filter(is_private=False).order_by("position", "pk"))
    follows = []
    for member in members:
        for tag in rng.sample(tags, min(3, len(tags))):
            follows.append(Follow(user=member, tag=tag))
        if categories:
            follows.append(Follow(user=member, category=rng.choice(categories)))
        asked = Question.objects.filter(author=member, deleted_at__isnull=True).order_by("-pk")
        for question_id in asked.values_list("pk", flat=True)[:5]:
            follows.append(Follow(user=member, question_id=question_id))
    created = Follow.objects.bulk_create(follows, ignore_conflicts=True)
    solved = list(
        Question.objects.filter(
            accepted_answer__isnull=False,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
            category__is_private=False,
        )
        .order_by("-pk")
        .values_list("pk", flat=True)[:MAX_VIEWED_THREADS]
    )
    today = timezone.localtime(anchor).date()
    views = []
    for question_id in solved:
        for back in rng.sample(range(VIEW_DAYS), 3):
            views.append(
                SolvedThreadView(
                    question_id=question_id,
                    day=today - dt.timedelta(days=back),
                    views=rng.randint(1, 12),
                )
            )
    SolvedThreadView.objects.bulk_create(views, ignore_conflicts=True)
    # The seeder writes rows in bulk, past the domain events that keep these up to date.
    rows = health_facts.refresh()
    return {"follows": len(created), "solved thread views": len(views), "health rows": rows}
