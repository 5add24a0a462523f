"""Development and demo settings: what ./scripts/run and `.venv/bin/python manage.py` use."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
# Two factors are optional in the demo so that a newcomer can look around.
HOMECOMING_REQUIRE_2FA = env_bool("HOMECOMING_REQUIRE_2FA", False)

# Static files straight from static/ and the apps (no collectstatic step in development).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
