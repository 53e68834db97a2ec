"""The production build: collectstatic with production settings, as the Dockerfile runs it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.slow  # `make test-fast` leaves it out


def test_collectstatic_succeeds_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "culture_of_care.settings.production",
        "SECRET_KEY": "a-long-random-value-for-the-production-build-test-only-0123456789",
        "ALLOWED_HOSTS": "localhost",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/nhsuk/nhsuk-frontend.min.css" in manifest
    assert "css/app.css" in manifest
