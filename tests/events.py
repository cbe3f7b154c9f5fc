"""The live events a test transaction published, read from captured on-commit callbacks."""

from __future__ import annotations


def published(callbacks) -> list[tuple[str, str, dict]]:  # noqa: ANN001
    """(stream, type, data) of the live events in captured on-commit callbacks."""
    from live import events

    return [
        cb.args
        for cb in callbacks
        if getattr(cb, "func", None) is events._deliver  # noqa: SLF001
    ]
