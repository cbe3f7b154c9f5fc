"""Demo cases for the desk (`seed_demo`): a few escalated questions, so the desk, the
customer panel and "my escalations" have something to show on a fresh `make run`.

Written through the desk's services (due times, history, audit rows and notifications
as in real life); deterministic in what it picks: demo-customer's unsolved questions
first, then the newest unsolved ones of other members.
"""

from __future__ import annotations

from advocacy.services import escalations
from forum.models import Question, User

CASES = (
    ("urgent", "Addebito doppio sulla carta: la community non può rimborsarlo."),
    ("high", "Il cliente aspetta da giorni e nessuna risposta risolve il problema."),
    ("normal", "Serve una conferma ufficiale sulle condizioni dell'offerta."),
)


def seed_escalations(*, advocate_id: int | None, staff_id: int | None) -> int:
    """Escalate up to three questions as demo-advocate; demo-staff claims the first and
    leaves an internal note. Returns how many escalations were opened."""
    if advocate_id is None or staff_id is None:
        return 0
    advocate = User.objects.get(pk=advocate_id)
    staff = User.objects.get(pk=staff_id)
    unsolved = Question.objects.filter(
        deleted_at__isnull=True,
        hidden_at__isnull=True,
        closed_at__isnull=True,
        locked_at__isnull=True,
        accepted_answer__isnull=True,
    ).exclude(category__is_private=True)
    picked = list(
        unsolved.filter(author__username="demo-customer").order_by("-created_at", "pk")[:2]
    )
    picked += list(
        unsolved.exclude(pk__in=[q.pk for q in picked])
        .exclude(author=advocate)
        .order_by("-created_at", "pk")[: len(CASES) - len(picked)]
    )
    opened = []
    for question, (priority, reason) in zip(picked, CASES, strict=False):
        opened.append(
            escalations.escalate_question(
                actor=advocate, question=question, reason=reason, priority=priority
            )
        )
    if opened:
        escalations.claim_escalation(actor=staff, escalation=opened[0])
        escalations.add_note(
            actor=staff,
            escalation=opened[0],
            body="Verificato con il fornitore dei pagamenti: due addebiti, uno da rimborsare.",
        )
    return len(opened)
