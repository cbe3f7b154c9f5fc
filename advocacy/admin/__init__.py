"""Admin for the advocacy app, one module per area; add yours with one import line."""

from advocacy.admin import (
    audit,  # noqa: F401
    crm,  # noqa: F401
    desk,  # noqa: F401
    moderation,  # noqa: F401
    programme,  # noqa: F401
    sla,  # noqa: F401
)
