"""Settings shared by every environment, driven by the environment (django-environ).

Environment variables: DATABASE_URL (default: SQLite file), REDIS_URL (unset: in-memory
channel layer and local-memory cache), SECRET_KEY, DEBUG, ALLOWED_HOSTS, EMAIL_URL.
"""

import sys
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "channels",
    "allauth",
    "allauth.account",
    "taggit",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "core",
    "live",
    "forum",
    "notifications",
    "gamification",
    "advocacy",
    "privacy",
    "integrations",
    "demo",
]
# daphne's app does one thing: `manage.py runserver` serves through daphne, sockets and all
# (`make run` starts daphne itself). Loading it installs Twisted's reactor, 0.65 s that no
# other process needs: not the seeding before the first page, the task worker or the tests.
if sys.argv[1:2] == ["runserver"]:
    INSTALLED_APPS.insert(0, "daphne")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "forum.middleware.UserLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Before the lockout's middleware, whose 429 page (with the lockout's reason) answers
    # a LockedOut first: exceptions go through the middleware bottom up.
    "core.web.RefusalMiddleware",
    "forum.middleware.LockoutMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The health figures' covering indexes (forum.Answer) INCLUDE columns on PostgreSQL; SQLite
# builds the same indexes without them, which is all a development database needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while a request writes; the timeout makes a writer wait
    # for the lock instead of failing at once when two requests write together.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "forum.User"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "circolo",
        }
    }
    # A signed-in request reads its session from Redis, not with a query of its own;
    # sessions are still written to the database, which keeps them across a Redis restart.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CHANNEL_LAYERS = {
        "default": {
            # The core layer with a bounded, blocking pool (see live/layers.py).
            "BACKEND": "live.layers.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": "circolo",
                "max_connections": env.int("REDIS_MAX_CONNECTIONS", default=50),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {}}}
# Live layer: frames waiting for one socket are capped (capacity) and dropped after
# `expiry` seconds, so a stuck consumer cannot grow memory; clients recover gaps with
# `since` (live.consumers). Backlog and presence use LIVE_REDIS_URL when set.
CHANNEL_LAYERS["default"]["CONFIG"].update(
    {"capacity": env.int("LIVE_CHANNEL_CAPACITY", default=200), "expiry": 30}
)
LIVE_REDIS_URL = REDIS_URL
# Open sockets per client address (live/addresses.py); raise it when many readers share
# one address (a large NAT), or for a load generator (`make bench` sets it).
LIVE_MAX_SOCKETS_PER_ADDRESS = env.int("LIVE_MAX_SOCKETS_PER_ADDRESS", default=50)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The server's objects at start-up go to the permanent generation (config/gc_tuning.py).
GC_FREEZE_AFTER_STARTUP = env.bool("CIRCOLO_GC_FREEZE", default=True)
# So are the survivors of each full collection, thawed (their cyclic garbage collected)
# this often.
GC_THAW_SECONDS = env.int("CIRCOLO_GC_THAW_SECONDS", default=600)
# The points and badges of votes and acceptances are settled by the task worker, so a
# storm of votes queues there rather than in the server's view threads. Without Redis the
# worker cannot reach the server's sockets (the in-memory channel layer lives in one
# process), so the server settles them itself right after each write commits, and the
# author's reputation still moves live on their pages.
SETTLE_VOTES_IN_WORKER = env.bool("SETTLE_VOTES_IN_WORKER", default=bool(REDIS_URL))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# How many threads of each server process run Django's pages (config/view_threads.py).
CIRCOLO_VIEW_THREADS = env.int("CIRCOLO_VIEW_THREADS", default=4)
# The task worker (`manage.py run_worker`) runs at this CPU priority (nice, 0-19): where
# it shares cores with the servers, a storm of votes it settles later does not slow the
# pages and votes being served now. 0 leaves the priority it was started with.
WORKER_NICE = env.int("CIRCOLO_WORKER_NICE", default=10)

# django-allauth: sign up with e-mail, mandatory verification, log in by username or e-mail.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_FORMS = {
    "login": "forum.account_forms.LoginForm",
    "reset_password": "forum.account_forms.ResetPasswordForm",
}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Circolo] "
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_VALIDATORS = "forum.validators.username_validators"
ACCOUNT_ADAPTER = "forum.account_adapter.AccountAdapter"
# Failed log-ins are limited by forum.lockout (shared with the API's token endpoint and
# the password reset), not by allauth's own `login_failed` limit.
ACCOUNT_RATE_LIMITS = {
    "login_failed": None,
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
# How many proxies of ours stand in front of daphne, each appending to X-Forwarded-For.
# 0 (the default) trusts no header and uses the connection's address; the README's nginx
# overwrites X-Forwarded-For and daphne's --proxy-headers turns it into that address, so
# 0 is right there too. One setting for the lockout, the sockets, DRF and allauth.
CIRCOLO_TRUSTED_PROXIES = env.int("CIRCOLO_TRUSTED_PROXIES", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = CIRCOLO_TRUSTED_PROXIES
# Failed log-ins (HTML, token, password reset): per account and per address (forum.lockout).
CIRCOLO_LOGIN_LOCKOUT = {"account": 5, "address": 20, "window": 15 * 60, "lock": 15 * 60}
LOGIN_REDIRECT_URL = "forum:question_list"
ACCOUNT_LOGOUT_REDIRECT_URL = "forum:question_list"
LOGIN_URL = "account_login"

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Circolo <noreply@circolo.local>")
# Where links in e-mails point (e-mails are built in the task worker, with no request).
CIRCOLO_SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("it", _("Italian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

REST_FRAMEWORK = {
    # Token first: DRF takes the WWW-Authenticate header from the first class, so an
    # anonymous request gets 401 (with `WWW-Authenticate: Token`) rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": "600/min",
        "user": "1200/min",
        "post": "30/min",
        "vote": "120/min",
        "token": "20/min",
    },
    "EXCEPTION_HANDLER": "forum.api.exceptions.exception_handler",
    "NUM_PROXIES": CIRCOLO_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Circolo API",
    "DESCRIPTION": "Questions, answers, votes and members of a Circolo community.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "forum.api.schema.page_parameters_hook",
    ],
    # Several fields are called "status" with different choices; name the desk's enums.
    "ENUM_NAME_OVERRIDES": {
        "EscalationStatusEnum": "advocacy.models.desk.EscalationStatus",
        "EscalationQueueStatusEnum": "advocacy.desk.serializers.QUEUE_STATUS_CHOICES",
        "EscalationSettableStatusEnum": "advocacy.desk.serializers.SETTABLE_STATUS_CHOICES",
        "CloseReasonEnum": "forum.models.CloseReason",
        "FlagReasonEnum": "advocacy.models.FlagReason",
        "RedemptionStatusEnum": "gamification.rewards.models.Redemption.Status",
        "FairPlayCaseStatusEnum": "gamification.fairplay.models.FairPlayCase.Status",
        "FairPlayCaseKindEnum": "gamification.fairplay.models.FairPlayCase.Kind",
        "EditSuggestionStatusEnum": "advocacy.models.EditSuggestion.Status",
        "WebhookDeliveryStatusEnum": "integrations.models.Delivery.Status",
    },
}

# Posting limits (per member), enforced by the forum services' rate limiter.
CIRCOLO_POST_RATE = env("CIRCOLO_POST_RATE", default="20/10m")

# Outbound webhooks (integrations/): targets on loopback, private, link-local or metadata
# addresses are refused unless this is on (a test receiver on 127.0.0.1, an intranet CRM).
CIRCOLO_WEBHOOKS_ALLOW_PRIVATE = env.bool("CIRCOLO_WEBHOOKS_ALLOW_PRIVATE", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

TAGGIT_CASE_INSENSITIVE = True

# Content-Security-Policy (django-csp): scripts only from this site or inline with the
# request's nonce (`nonce="{{ request.csp_nonce }}"`), never inline handlers or
# `javascript:` URLs; styles may be inline (avatars' hue, htmx's indicator styles).
# Violations are posted to /csp-report/ and logged on "circolo.csp" (forum.csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
        "report-uri": "/csp-report/",
    },
}
