"""Test settings: the same as development, with fast hashing and no 2FA by default."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
HOMECOMING_REQUIRE_2FA = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / f"test-media-{os.getpid()}"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}  # noqa: F405
