"""Everything that writes in the advocacy app, one module per area.

`flags` (raising and resolving flags), `moderation` (the queue's acts: hide, close, lock,
move, retag, suspend, claims), `escalations`, `programme`, ... Import the module you need:
``from advocacy.services import flags``. The audit log is written with `core.audit.record`.
"""
