"""Local development: `make run`. SQLite and the in-memory channel layer by default."""

import os

from .base import *  # noqa: F403
from .base import STORAGES, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# `make run` shares its terminal between daphne and the task worker, which runs the SLA
# sweep every 30 seconds: keep routine task chatter out of it (failures still show; the
# console e-mails and the scheduler's start line still print).
LOGGING["loggers"]["django_tasks"] = {"level": "WARNING"}  # noqa: F405

# `make run`: e-mails go to files under tmp/mail/ (one per message) rather than into the
# terminal, where they scrolled the demo logins away (issue 15). EMAIL_URL still wins.
if "EMAIL_URL" not in os.environ:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "tmp" / "mail"))  # noqa: F405

# `make run` serves with DEBUG off (the site's own 404 and 500 pages, issue 15) and without
# collectstatic: whitenoise finds the files in the app and project static folders directly.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
