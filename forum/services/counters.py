"""Repairing the denormalised counters."""

from __future__ import annotations

from django.db import transaction

from forum.models import (
    Answer,
    Question,
)
from forum.selectors import CounterDifference, counter_differences

# Counters -------------------------------------------------------------------------------


def repair_counters() -> list[CounterDifference]:
    """Store the recount of every cached counter that differs from its rows.

    Each drifting post is fixed in its own transaction under its row lock, the lock every
    counter writer takes (or waits for with its UPDATE), and recounted there: a vote,
    answer or comment landing meanwhile is counted exactly once. Returns what was fixed.
    """
    fixed: list[CounterDifference] = []
    models = {"question": Question, "answer": Answer}
    drifting = list(dict.fromkeys((d.model, d.pk) for d in counter_differences()))
    for model_name, pk in drifting:
        model = models[model_name]
        with transaction.atomic():
            if not list(
                model.objects.select_for_update(no_key=True).filter(pk=pk).values_list("pk")
            ):
                continue  # deleted meanwhile
            found = counter_differences(model=model, pk=pk)
            if found:
                model.objects.filter(pk=pk).update(**{d.field: d.real for d in found})
                fixed.extend(found)
    return fixed
