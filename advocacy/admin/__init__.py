"""Admin for the advocacy app, one module per area; add yours with one import line."""

from advocacy.admin import audit  # noqa: F401
