"""Test overrides only; the database and Redis still come from the environment."""

import tempfile

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRIVATE_STORAGE_ROOT = MEDIA_ROOT = tempfile.mkdtemp(prefix="coc-test-private-")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CRISPY_FAIL_SILENTLY = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Reports are made inside the request in tests (the in-process tests check the result at once);
# tests of the background thread turn it on.
REPORTS_RUN_IN_BACKGROUND_THREAD = False
