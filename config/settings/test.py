"""Test settings: the same PostgreSQL code path; tasks run eagerly unless a test starts a worker."""

from config.queues import declare as declare_queues

from .base import *
from .base import DATABASES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "notifications.sms.LocmemSmsBackend"
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = env.path("MEDIA_ROOT", default="/tmp/kandas-test-media")
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(MEDIA_ROOT).rstrip("/") + "-private")
PRIVATE_FILES_SERVER = "django"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "core.files.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "ru"

# Tests log in with force_login; the second-factor and throttling tests switch these on themselves.
KANDAS_OTP_REQUIRED_ROLES = []
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute", "auth": "100000/minute"},
}

# Each pytest-xdist worker (and each checkout) consumes its own queues, so a worker thread never
# picks up a task published by a parallel test process against another test database.
# The database's name too: several checkouts may share one RabbitMQ.
CELERY_QUEUE_PREFIX = f"kandas-test-{DATABASES['default']['NAME']}-{env('PYTEST_XDIST_WORKER', default='main')}-"
CELERY_TASK_QUEUES = declare_queues(CELERY_QUEUE_PREFIX)
CELERY_TASK_DEFAULT_QUEUE = CELERY_QUEUE_PREFIX + "default"

# The replica alias always exists in tests, as a mirror of the test database (no second database
# is created); the router is off, and the replica tests (tests/core/test_replica.py) switch it on
# and point the alias at the real standby that .ci/run starts (DATABASE_REPLICA_URL).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = []
KANDAS_VERIFY_RATE_PER_MINUTE = 10_000  # tests share one client address; test_verification sets it low
