"""Demo cases for the desk (`seed_demo`): a few escalated questions, so the desk, the
customer panel and "my escalations" have something to show on a fresh `make run`.

Written through the desk's services (due times, history, audit rows and notifications
as in real life); deterministic in what it picks: demo-customer's unsolved questions
first, then the newest unsolved ones of other members.
"""

from __future__ import annotations

from advocacy.services import escalations
from advocacy.services.crm import import_crm_csv
from forum.models import Question, User

CASES = (
    ("urgent", "Addebito doppio sulla carta: la community non può rimborsarlo."),
    ("high", "Il cliente aspetta da giorni e nessuna risposta risolve il problema."),
    ("normal", "Serve una conferma ufficiale sulle condizioni dell'offerta."),
)


def seed_escalations(*, advocate_id: int | None, staff_id: int | None) -> int:
    """Escalate up to three questions as demo-advocate; demo-staff claims the first and
    leaves an internal note, and resolves the last (a thread demo-advocate answered,
    judging that answer correct). Returns how many escalations were opened."""
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
    # The last case: a thread demo-advocate answered, which staff resolve at once with a
    # verdict on that answer (the health dashboard's SLA and advocates' accuracy figures).
    answered = (
        unsolved.exclude(pk__in=[q.pk for q in picked])
        .exclude(author=advocate)
        .filter(answers__author=advocate, answers__deleted_at__isnull=True)
        .order_by("-created_at", "pk")
        .first()
    )
    others = unsolved.exclude(pk__in=[q.pk for q in picked]).exclude(author=advocate)
    if answered is not None:
        others = others.exclude(pk=answered.pk)
    room = len(CASES) - len(picked) - (answered is not None)
    picked += list(others.order_by("-created_at", "pk")[:room])
    if answered is not None:
        picked.append(answered)
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
    last = opened[-1] if len(opened) == len(CASES) else None
    if last is not None and last.question_id == getattr(answered, "pk", None):
        answer = (
            last.question.answers.filter(author=advocate, deleted_at__isnull=True)
            .order_by("pk")
            .first()
        )
        escalations.claim_escalation(actor=staff, escalation=last)
        escalations.resolve_escalation(
            actor=staff,
            escalation=last,
            resolution="Confermato: la risposta di Chiara è corretta, nessun intervento necessario.",
            verdicts=[(answer, "correct")],
        )
    return len(opened)


# The CRM export the demo imports: the customers behind the desk's cases. The columns
# are what a telco CRM sends; any column is an attribute (see `advocacy.crm`).
CRM_HEADER = "external_id;email;Plan;Customer since;Lines;Payment;Open tickets;Segment"
CRM_ROWS = (
    ("CRM-100231", "Giga 150 5G", "2019-04-12", "2", "SDD (IBAN)", "1", "Consumer"),
    ("CRM-100587", "Flash 100", "2021-11-03", "1", "Card", "0", "Consumer"),
    ("CRM-101044", "Business Pro", "2016-02-28", "5", "Bank transfer", "2", "Small business"),
)


def seed_crm() -> int:
    """Import CRM records (through the real import) for the customers whose questions
    are escalated, demo-customer first, so the case page's customer panel shows them.
    Returns how many records were written."""
    askers = list(
        User.objects.filter(questions__escalations__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("username", "email")
    )
    askers.sort(key=lambda row: row[0] != "demo-customer")
    lines = [CRM_HEADER]
    for (_username, email), row in zip(askers, CRM_ROWS, strict=False):
        external_id, *attributes = row
        lines.append(";".join([external_id, email, *attributes]))
    if len(lines) == 1:
        return 0
    report = import_crm_csv(actor=None, data="\n".join(lines).encode())
    return report.created + report.updated
