"""Production settings: refuse to start without a real SECRET_KEY and ALLOWED_HOSTS."""

from django.core.exceptions import ImproperlyConfigured

from culture_of_care.observability import init_error_tracker, json_logging

from .base import *  # noqa: F403
from .base import LOG_LEVEL, RELEASE, SENTRY_DSN, SENTRY_ENVIRONMENT, env

DEBUG = False

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("Set SECRET_KEY to a long random value in production.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the site's host names in production.")

CRISPY_FAIL_SILENTLY = True
# Persistent, health-checked database connections: each gunicorn worker and each Celery worker
# process keeps one connection for up to CONN_MAX_AGE seconds, checked before it is reused
# (Celery closes it after a task once it is older). 0 opens one per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# Real email by default: an SMTP relay configured by EMAIL_HOST, EMAIL_PORT and friends.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False

# One JSON line per record, each with the request id; Celery keeps Django's logging.
LOGGING = json_logging(LOG_LEVEL)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
ERROR_TRACKER_ENABLED = init_error_tracker(
    dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, release=RELEASE
)
