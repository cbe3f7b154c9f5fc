"""The SLA timer: one sweep fires every tiered rule step that is due and records every
breach that is due. Run by the periodic task `advocacy.tasks.sweep_sla` in the worker;
each question and escalation is handled in its own transaction, so one failure does not
hold back the others and a sweep cut short by a restart is finished by the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.utils import timezone

from advocacy.automation import engine
from advocacy.automation.rules import SlaAlerts
from advocacy.desk.selectors import waiting_with_reply
from advocacy.models import SlaRule
from advocacy.services import escalations
from advocacy.services import sla as sla_services
from advocacy.sla import selectors

logger = logging.getLogger(__name__)

SLA_ALERTS = SlaAlerts.key


@dataclass
class SweepReport:
    alerted: list[int] = field(default_factory=list)  # question ids
    escalated: list[int] = field(default_factory=list)  # question ids
    breached: list[int] = field(default_factory=list)  # escalation ids
    resumed: list[int] = field(default_factory=list)  # escalation ids

    def as_dict(self) -> dict[str, list[int]]:
        return {
            "alerted": self.alerted,
            "escalated": self.escalated,
            "breached": self.breached,
            "resumed": self.resumed,
        }


def sweep_sla(*, now: dt.datetime | None = None) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    # The tiered steps run on the automation rule engine (`advocacy.automation`):
    # each step is claimed once per (question, step) and written to the activity log.
    for step, _detail in engine.run_rule(SLA_ALERTS, now=now):
        if step.step == SlaRule.Action.NOTIFY_ADVOCATES:
            report.alerted.append(step.question.pk)
        else:
            report.escalated.append(step.question.pk)
    for escalation in selectors.escalations_breaching(now=now)[: selectors.SWEEP_BATCH]:
        try:
            if sla_services.record_sla_breach(escalation=escalation, now=now):
                report.breached.append(escalation.pk)
        except Exception:
            logger.exception("SLA breach of escalation %s could not be recorded", escalation.pk)
    # A customer who wrote back restarts the clocks that "waiting on customer" stopped.
    for escalation in waiting_with_reply()[: selectors.SWEEP_BATCH]:
        try:
            if escalations.resume_after_customer_reply(escalation=escalation):
                report.resumed.append(escalation.pk)
        except Exception:
            logger.exception("Escalation %s could not be resumed", escalation.pk)
    return report
