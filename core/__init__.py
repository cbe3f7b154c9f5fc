"""The bottom layer: what every app shares and that knows no app (docs/architecture.md).

- `events`: the domain-event dispatcher (`subscribe`, `emit`).
"""
