"""The audit log: who did what to which target, the state before and after, and why.

`record(...)` is the one way any app writes it, inside the transaction of the act it
records. The kinds of act are registered with `register(key, label)` by the area that
owns them, at import time (advocacy's moderation acts in `advocacy.audit_actions`, the
programme's, the desk's, privacy's erasure), so `record` refuses a typo and the audit
page can filter by every kind.

The rows are `advocacy.models.AuditEntry` (its table and admin stay there);
`AdvocacyConfig.ready()` plugs the model in with `set_model`, as gamification plugs the
privilege thresholds into `core.privileges`.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils.functional import Promise

from core.text import clean_line, clean_text

ACTIONS: dict[str, Promise] = {}

_model: type[models.Model] | None = None


def register(key: str, label: Promise) -> str:
    """Add an act (e.g. ``register("advocate.approve", pgettext_lazy("audit action",
    "advocate approved"))``); returns the key so a module can write
    ``ADVOCATE_APPROVE = register(...)``."""
    if not key or len(key) > 60:
        raise ValueError(f"Bad audit action key: {key!r}")
    ACTIONS[key] = label
    return key


def label(key: str) -> str:
    found = ACTIONS.get(key)
    return str(found) if found is not None else key


def choices() -> list[tuple[str, str]]:
    """(key, label) pairs sorted by label, for the audit page's filter."""
    return sorted(((k, str(v)) for k, v in ACTIONS.items()), key=lambda kv: kv[1].lower())


def set_model(model: type[models.Model]) -> None:
    """The model whose rows are the log (`advocacy.models.AuditEntry`)."""
    global _model
    _model = model


def _jsonable(state: dict[str, Any] | None) -> dict[str, Any]:
    """Dates, decimals and UUIDs as strings, so the row stores what it says."""
    if not state:
        return {}
    return json.loads(json.dumps(state, cls=DjangoJSONEncoder))


def describe(target: models.Model) -> str:
    """A readable name for a target: "question 12: <title>", "answer 40", a username."""
    if isinstance(target, get_user_model()):
        return target.get_username()
    name = target._meta.verbose_name
    if hasattr(target, "title"):
        return f"{name} {target.pk}: {target}"
    return f"{name} {target.pk}"


def record(
    *,
    actor: models.Model | None,
    action: str,
    target: models.Model | None = None,
    label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> models.Model:
    """Append one row to the audit log and return it.

    Call it inside the transaction of the act it records (after the act's writes), so the
    row exists exactly when the act does. `label` names the target when `describe(target)`
    would not do. `actor` is None for the system's own acts (a post
    hidden by flags). `before`/`after` are small JSON-able dicts of the fields the act
    changed. `reason` is cleaned (control characters, bidi overrides) and cut to the
    column's length; the caller validates what the member typed and reports errors.
    Raises ValueError for an action no area registered.
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action: {action!r}")
    if _model is None:
        raise RuntimeError("No audit log model: AdvocacyConfig.ready() sets it.")
    meta = _model._meta
    text = clean_line(label or (describe(target) if target is not None else ""))
    acting = actor is not None and actor.pk
    with transaction.atomic(savepoint=False):
        return _model.objects.create(
            actor=actor if acting else None,
            actor_label=actor.get_username() if acting else "",
            action=action,
            target_type=(
                ContentType.objects.get_for_model(target, for_concrete_model=False)
                if target is not None
                else None
            ),
            target_id=target.pk if target is not None else None,
            target_label=text[: meta.get_field("target_label").max_length],
            before=_jsonable(before),
            after=_jsonable(after),
            reason=clean_text(reason or "").strip()[: meta.get_field("reason").max_length],
        )
