"""Reading fair-play cases for the staff page."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from forum.models import Question, User
from gamification.fairplay.detection import NOTE_LABELS
from gamification.fairplay.models import FairPlayCase, FairPlayEvidence

EVIDENCE_SHOWN = 200  # votes listed on a case's page; the count says how many in all


def cases(*, status: str) -> QuerySet[FairPlayCase]:
    """Cases with the given status, newest first, with their members (two queries more)."""
    members = User.objects.only("pk", "username", "display_name", "reputation", "is_advocate")
    return (
        FairPlayCase.objects.filter(status=status)
        .select_related("reviewed_by")
        .prefetch_related(
            Prefetch("voters", queryset=members), Prefetch("targets", queryset=members)
        )
        .order_by("-detected_at", "-pk")
    )


def case_with_evidence(*, pk: int) -> tuple[FairPlayCase, list[FairPlayEvidence]] | None:
    case = cases(status=FairPlayCase.Status.OPEN).filter(pk=pk).first() or (
        cases(status=FairPlayCase.Status.REVIEWED).filter(pk=pk).first()
    )
    if case is None:
        return None
    evidence = list(
        FairPlayEvidence.objects.filter(case=case)
        .select_related("award__actor", "award__recipient", "reversal")
        .order_by("award__created_at", "award_id")[:EVIDENCE_SHOWN]
    )
    titles = dict(
        Question.objects.filter(
            pk__in={e.award.question_id for e in evidence if e.award.question_id}
        ).values_list("pk", "title")
    )
    for item in evidence:
        item.question_title = titles.get(item.award.question_id, "")
        note = item.award.note
        item.note_label = str(NOTE_LABELS.get(note, note)) if note else ""
    return case, evidence
