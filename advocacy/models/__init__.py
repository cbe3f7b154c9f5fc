"""The advocacy app's models, one module per area.

Each engineer's area is its own module; add yours with one import line here.
"""

from advocacy.models.audit import AuditEntry

__all__ = ["AuditEntry"]
