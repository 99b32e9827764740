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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "ru"

# Each pytest-xdist worker (and each checkout) consumes its own queues, so a worker thread never
# picks up a task published by a parallel test process against another test database.
# The database's name too: several checkouts may share one RabbitMQ.
CELERY_QUEUE_PREFIX = f"kandas-test-{DATABASES['default']['NAME']}-{env('PYTEST_XDIST_WORKER', default='main')}-"
CELERY_TASK_QUEUES = declare_queues(CELERY_QUEUE_PREFIX)
CELERY_TASK_DEFAULT_QUEUE = CELERY_QUEUE_PREFIX + "default"
