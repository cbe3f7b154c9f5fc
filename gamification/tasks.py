"""Background work of the gamification app, run by the task worker (`manage.py run_worker`).

Periodic (`register()`, called from `apps.py`): the fair-play sweep every 15 minutes.
On demand: the points and badges of each vote (`settle_vote`) and of each acceptance
or its withdrawal (`settle_acceptance`), whose rows gamification.handlers writes in the
transaction of the vote or the acceptance.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django_tasks import task

from core.periodic import register_periodic


@task()
def sweep_fair_play() -> dict[str, object]:
    """Reverse serial voting and vote rings that slipped through; record the cases."""
    from gamification.fairplay.sweep import sweep_fair_play as sweep

    return sweep().as_dict()


@task()
def settle_vote(
    actor_id: int, question_id: int, answer_id: int | None, before: int, after: int
) -> None:
    """Pay for a committed vote, then award the badges it may earn, each in a transaction
    of its own. Idempotent (see `hooks.settle_vote`): a retry, or a task that runs after a
    later vote of the same member on the same post, pays nothing twice."""
    from forum.models import Answer, Question, User
    from gamification.services import hooks

    actor = User.objects.filter(pk=actor_id).first()
    posts = (
        Answer.objects.filter(pk=answer_id)
        if answer_id
        else Question.objects.filter(pk=question_id)
    )
    post = posts.first()
    if actor is None or post is None:
        return  # erased since: nothing to pay
    with transaction.atomic():
        hooks.settle_vote(actor=actor, post=post, before=before, after=after)
    with transaction.atomic():
        hooks.vote_badges(actor=actor, post=post, before=before, after=after)


@task()
def settle_acceptance(actor_id: int, question_id: int, answer_id: int | None) -> None:
    """Make the question's acceptance points match its accepted answer (`answer_id`:
    the answer the actor accepted; None for a withdrawal). Idempotent and independent of
    the order acceptances and withdrawals are settled in (see `hooks.settle_acceptance`)."""
    from forum.models import User
    from gamification.services import hooks

    actor = User.objects.filter(pk=actor_id).first()
    if actor is None:
        return  # deleted since (erasure keeps the row): nothing to settle, as for a vote
    hooks.settle_acceptance(actor=actor, question_id=question_id, answer_id=answer_id)


def register() -> None:
    """The periodic jobs of this module (called from the app's `ready()`)."""
    register_periodic(sweep_fair_play, every=timedelta(minutes=15))
