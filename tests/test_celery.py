"""Celery is wired the standard Django way: in-process by default, a real worker on Redis."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from standards.tasks import ping
from tests.conftest import service_unavailable

ROOT = Path(__file__).resolve().parents[1]


def test_ping_runs_in_process_on_the_embedded_default(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from culture_of_care.celery import app

    app.conf.task_always_eager = True
    assert ping.delay().get(timeout=5) == "pong"


@pytest.mark.redis
def test_ping_runs_on_a_real_worker_over_redis():
    if not settings.REDIS_URL:
        service_unavailable("REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL).ping()
    except redis.RedisError as error:
        service_unavailable(f"Redis is unreachable: {error}")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "culture_of_care",
            "worker",
            "--pool=solo",
            "--loglevel=warning",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "culture_of_care.settings.test"},
    )
    try:
        from culture_of_care.celery import app

        app.conf.task_always_eager = False
        result = ping.apply_async()
        assert result.get(timeout=60) == "pong"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        time.sleep(0)
