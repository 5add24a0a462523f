"""Production settings: refuse to start half-configured, and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
GOOD = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "k" * 20 + "not-a-real-secret-but-long-enough-for-the-check-0123456789",
    "DJANGO_ALLOWED_HOSTS": "homecoming.example.org",
    "DATABASE_URL": "sqlite:////tmp/hc-production-settings-test.sqlite3",
}


def run(code: str, **overrides: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "HOMECOMING_"))}
    env |= GOOD
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


CHECK_DEPLOY = (
    "import django, sys; django.setup(); from django.core.management import call_command; "
    "call_command('check', deploy=True, fail_level='WARNING')"
)


def test_production_settings_pass_the_deployment_checks() -> None:
    result = run(CHECK_DEPLOY)
    assert result.returncode == 0, result.stderr[-2000:]


def test_production_settings_are_strict() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.HOMECOMING_REQUIRE_2FA, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.ALLOWED_HOSTS)"
    )
    result = run(code, HOMECOMING_REQUIRE_2FA="false", DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "False True True True True 31536000 ['homecoming.example.org']"


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "too-short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
    ],
)
def test_production_refuses_to_start_half_configured(missing: dict[str, str | None], message: str) -> None:
    result = run("import django; django.setup()", **missing)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
