"""The rule engine: rules say what is due; the engine claims and does each step once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, ClassVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from advocacy.models import AutomationAction, AutomationOptOut, AutomationRule

logger = logging.getLogger(__name__)

# At most this many steps per rule per run: a backlog is worked off over a few runs (and
# a rule's `due()` is not asked for more).
BATCH = 200


@dataclass
class Step:
    """One due step: `subject` and `step` make its idempotence key with the rule."""

    subject: str
    step: str
    recipient: Any = None  # a User or None
    question: Any = None  # a Question or None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Param:
    name: str
    label: Any  # a lazy string
    default: int
    minimum: int = 1
    maximum: int = 100_000


class Rule:
    """A rule: `due()` lists what is due now, `perform()` does one step inside the
    transaction holding its claim and returns the log's detail (None: nothing to do, the
    claim is rolled back and the step stays due)."""

    key: ClassVar[str]
    label: ClassVar[Any]
    description: ClassVar[Any]
    params: ClassVar[tuple[Param, ...]] = ()
    enabled_by_default: ClassVar[bool] = False
    opt_out: ClassVar[bool] = True  # members may opt out of its messages
    member_label: ClassVar[Any] = None  # its messages, as the member's settings name them

    def due(self, settings: RuleSettings, now: dt.datetime) -> Iterable[Step]:
        raise NotImplementedError

    def perform(self, step: Step, settings: RuleSettings, now: dt.datetime) -> dict | None:
        raise NotImplementedError


@dataclass(frozen=True)
class RuleSettings:
    enabled: bool
    values: dict[str, int]

    def __getitem__(self, name: str) -> int:
        return self.values[name]


_registry: dict[str, Rule] = {}


def register(rule_class: type[Rule]) -> type[Rule]:
    _registry[rule_class.key] = rule_class()
    return rule_class


def registered() -> dict[str, Rule]:
    from advocacy.automation import rules  # noqa: F401 - registers the rules

    return dict(_registry)


def settings_for(rule: Rule, row: AutomationRule | None = None) -> RuleSettings:
    if row is None:
        row = AutomationRule.objects.filter(key=rule.key).first()
    enabled = row.enabled if row is not None else rule.enabled_by_default
    stored = row.params if row is not None and isinstance(row.params, dict) else {}
    values = {}
    for param in rule.params:
        value = stored.get(param.name, param.default)
        if not isinstance(value, int) or not param.minimum <= value <= param.maximum:
            value = param.default
        values[param.name] = value
    return RuleSettings(enabled=enabled, values=values)


def save_settings(rule: Rule, *, enabled: bool, values: dict[str, int], actor: Any) -> RuleSettings:
    """Store a rule's switch and parameters (values already validated against `params`)."""
    AutomationRule.objects.update_or_create(
        key=rule.key,
        defaults={
            "enabled": enabled,
            "params": {p.name: values[p.name] for p in rule.params},
            "updated_by": actor,
        },
    )
    return settings_for(rule)


def opted_out(rule_key: str, user_ids: Iterable[int]) -> set[int]:
    return set(
        AutomationOptOut.objects.filter(rule=rule_key, user_id__in=list(user_ids)).values_list(
            "user_id", flat=True
        )
    )


def do_step(rule: Rule, step: Step, settings: RuleSettings, now: dt.datetime) -> dict | None:
    """Claim and do one step; None when it was done already (or had nothing to do)."""
    try:
        with transaction.atomic():
            action = AutomationAction.objects.create(
                rule=rule.key,
                subject=step.subject,
                step=step.step,
                recipient=step.recipient,
                question=step.question,
                created_at=now,
            )
            detail = rule.perform(step, settings, now)
            if detail is None:
                raise _NothingToDo
            action.detail = detail
            action.save(update_fields=["detail"])
            return detail
    except IntegrityError:
        return None  # another worker (or an earlier run) did this step
    except _NothingToDo:
        return None


class _NothingToDo(Exception):
    pass


def run_rule(key: str, *, now: dt.datetime | None = None) -> list[tuple[Step, dict]]:
    """Do every due step of one rule (when enabled); returns what was done."""
    now = now or timezone.now()
    rule = registered()[key]
    settings = settings_for(rule)
    if not settings.enabled:
        return []
    done: list[tuple[Step, dict]] = []
    for step in list(islice(rule.due(settings, now), BATCH)):
        try:
            detail = do_step(rule, step, settings, now)
        except Exception:
            logger.exception("Automation %s failed for %s %s", key, step.subject, step.step)
            continue
        if detail is not None:
            done.append((step, detail))
    return done


def run_rules(*, now: dt.datetime | None = None, skip: Iterable[str] = ()) -> dict[str, int]:
    """Run every rule but `skip`; {rule: steps done}."""
    now = now or timezone.now()
    return {key: len(run_rule(key, now=now)) for key in registered() if key not in set(skip)}
