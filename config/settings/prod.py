"""Production: several daphne processes behind a proxy, PostgreSQL, Redis.

SECRET_KEY, DATABASE_URL, REDIS_URL and ALLOWED_HOSTS must come from the environment.
"""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# Each process lends its requests connections from a pool (psycopg_pool) instead of
# opening one per request: its view threads (CIRCOLO_VIEW_THREADS), the live layer's and
# the worker's threads share it. 0 turns it off (then CONN_MAX_AGE applies).
DATABASE_POOL_SIZE = env.int("DATABASE_POOL_SIZE", default=8)
if (
    DATABASE_POOL_SIZE
    and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and not DATABASES["default"]["CONN_MAX_AGE"]
):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": 30,
    }
