"""Production: every secret from the environment; passes `manage.py check --deploy`."""

import environ

from .base import *
from .base import env, replica_database

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # no default: start-up stops with the variable's name
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if not env("DATABASE_URL", default=""):
    raise environ.ImproperlyConfigured("Set the DATABASE_URL environment variable")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = []
if (_replica := replica_database(DATABASES["default"])) is not None:
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
REDIS_URL = env("REDIS_URL")
# Printed on every certificate and in its QR code: a wrong or local address makes them unverifiable.
KANDAS_PUBLIC_BASE_URL = env("KANDAS_PUBLIC_BASE_URL")  # no default: start-up stops with the name
if not KANDAS_PUBLIC_BASE_URL.startswith("https://") and env.bool("SECURE_SSL_REDIRECT", default=True):
    raise environ.ImproperlyConfigured("KANDAS_PUBLIC_BASE_URL must be the public https:// address of this site")
# RabbitMQ (amqp://) is the production broker when CELERY_BROKER_URL is set; Redis otherwise.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "core.files.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Administrators and analysts confirm a TOTP code after the password (django-otp).
KANDAS_OTP_REQUIRED_ROLES = env.list("KANDAS_OTP_REQUIRED_ROLES", default=["administrator", "ministry_analyst"])
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
