"""A member's rights over their data (GDPR articles 15, 17 and 20): the export of
everything the site holds about them (`export`), and erasure (`erasure`), with the
settings page, the API endpoints (API.md) and the admin action that use them.

No models: the package reads and rewrites the other apps' rows through one selector and
one service, so a new personal field elsewhere needs a line here (and a test)."""
