"""Counting signed-out views of solved threads (the deflection estimate's basis)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from advocacy.models import SolvedThreadView
from forum.models import Question


def count_solved_view(question: Question) -> None:
    """One more signed-out view of `question` today, if it is solved now (a read and
    one UPDATE; an INSERT the first time of the day). Whether it is solved is read from
    the database: the anonymous page cache hands over a Question with only its pk."""
    if not Question.objects.filter(pk=question.pk, accepted_answer__isnull=False).exists():
        return  # an unsolved thread costs one indexed read of its own row
    day = timezone.localdate()
    rows = SolvedThreadView.objects.filter(question_id=question.pk, day=day)
    if rows.update(views=F("views") + 1):
        return
    try:
        with transaction.atomic():
            SolvedThreadView.objects.create(question_id=question.pk, day=day, views=1)
    except IntegrityError:  # another reader made today's row first
        rows.update(views=F("views") + 1)
