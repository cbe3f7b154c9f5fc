"""Admin for the advocacy app, one module per area; add yours with one import line."""

from advocacy.admin import audit  # noqa: F401
from advocacy.admin import crm  # noqa: F401
from advocacy.admin import desk  # noqa: F401
from advocacy.admin import moderation  # noqa: F401
from advocacy.admin import programme  # noqa: F401
from advocacy.admin import sla  # noqa: F401
