"""Settings of the daphne subprocess that tests/browser/test_live.py starts: the test
settings (same password hasher, secret key and Redis database as the test process, so
sessions and logins made by the test work there), with static files served by WhiteNoise
from the finders, as no collectstatic has run. DATABASE_URL names the test database."""

from config.settings.test import *  # noqa: F403

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
