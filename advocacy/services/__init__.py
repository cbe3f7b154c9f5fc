"""Everything that writes in the advocacy app, one module per area.

`audit.record(...)` (the audit log), `flags` (raising and resolving flags), `moderation`
(the queue's acts: hide, close, lock, move, retag, suspend, claims). Import the module you
need: ``from advocacy.services import audit``.
"""
