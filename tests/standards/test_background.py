"""Tasks are sent by name from processes that never imported their module (a web process)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_web_process_can_send_a_task_it_never_imported():
    """In a fresh process, as gunicorn's: the task module is not imported until it is sent."""
    script = """
import sys, django
django.setup()
from celery import current_app
current_app.conf.task_always_eager = True
assert "standards.tasks" not in sys.modules
from standards.background import send_task
result = send_task("standards.tasks.ping", ())
assert result.get() == "pong", result
print("sent")
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"DJANGO_SETTINGS_MODULE": "culture_of_care.settings.test", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sent"
