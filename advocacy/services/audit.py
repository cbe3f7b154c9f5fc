"""Writing the audit log: the one function every moderation act calls."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from advocacy.audit_actions import ACTIONS
from advocacy.models import AuditEntry
from advocacy.models.audit import LABEL_MAX_LENGTH, REASON_MAX_LENGTH
from core.text import clean_line, clean_text
from forum.models import User


def _jsonable(state: dict[str, Any] | None) -> dict[str, Any]:
    """Dates, decimals and UUIDs as strings, so the row stores what it says."""
    if not state:
        return {}
    return json.loads(json.dumps(state, cls=DjangoJSONEncoder))


def describe(target: models.Model) -> str:
    """A readable name for a target: "question 12: <title>", "answer 40", a username."""
    if isinstance(target, User):
        return target.username
    name = target._meta.verbose_name
    text = str(target)
    if hasattr(target, "title"):
        return f"{name} {target.pk}: {text}"
    return f"{name} {target.pk}"


def record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one row to the audit log and return it.

    Call it inside the transaction of the act it records (after the act's writes), so the
    row exists exactly when the act does. `label` names the target when `describe(target)`
    would not do. `actor` is None for the system's own acts (a post
    hidden by flags). `before`/`after` are small JSON-able dicts of the fields the act
    changed. `reason` is cleaned (control characters, bidi overrides) and cut to the
    column's length; the caller validates what the member typed and reports errors.
    Raises ValueError for an action no area registered (`advocacy.audit_actions`).
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action: {action!r}")
    text = clean_line(label or (describe(target) if target is not None else ""))
    with transaction.atomic(savepoint=False):
        return AuditEntry.objects.create(
            actor=actor if actor is not None and actor.pk else None,
            actor_label=actor.username if actor is not None and actor.pk else "",
            action=action,
            target_type=(
                ContentType.objects.get_for_model(target, for_concrete_model=False)
                if target is not None
                else None
            ),
            target_id=target.pk if target is not None else None,
            target_label=text[:LABEL_MAX_LENGTH],
            before=_jsonable(before),
            after=_jsonable(after),
            reason=clean_text(reason or "").strip()[:REASON_MAX_LENGTH],
        )
