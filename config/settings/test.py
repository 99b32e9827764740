"""Test settings: the same PostgreSQL code path; tasks run eagerly unless a test starts a worker."""

from .base import *
from .base import env

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

# Each pytest-xdist worker (and each test run) consumes its own queue, so a worker thread never
# picks up a task published by a parallel test process against another test database.
CELERY_TASK_DEFAULT_QUEUE = "kandas-test-" + env("PYTEST_XDIST_WORKER", default="main")
