"""A real Celery worker over Redis, killed in the middle of a report: exactly one report follows.

Needs PostgreSQL (the worker is another process, so it needs a database server it can share with
the test) and Redis. In CI a missing service fails the test; elsewhere it is skipped. Run alone:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coc_pdf REDIS_URL=redis://127.0.0.1:6379/7 \
        .venv/bin/python -m pytest tests/reports/test_worker.py -q
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from culture_of_care.celery import app
from reports import services
from reports.models import JobStatus, ReportJob, ReportKind
from tests.assessments.builders import signed_round
from tests.conftest import service_unavailable

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
# A Redis database of the test's own, so no other test's messages reach these workers.
REDIS_DB = int(os.environ.get("REPORTS_WORKER_TEST_REDIS_DB", "13"))
RENDER_DELAY = 5
VISIBILITY_TIMEOUT = 5


def dedicated_redis_url() -> str:
    parts = urlsplit(settings.REDIS_URL)
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


def require_services() -> None:
    if connection.vendor != "postgresql":
        service_unavailable("the worker test needs PostgreSQL (DATABASE_URL)")
    if not settings.REDIS_URL:
        service_unavailable("the worker test needs Redis (REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        service_unavailable(f"Redis is unreachable: {error}")


def worker_database_url() -> str:
    """The test database (pytest-django's), as a URL the worker process can use."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(db['NAME'])}"


@contextmanager
def broker(url: str):
    """Send tasks for real to `url`: not in-process, and not through a pool made earlier for
    another broker URL (Celery reads its configuration once)."""
    import redis

    keys = ("broker_url", "result_backend", "task_always_eager")
    old = {key: app.conf[key] for key in keys}
    old_url = settings.REDIS_URL

    def reset_pools() -> None:
        # Forget (never close: kombu keeps them by URL) the pools made for the other URL.
        app._pool = None
        app.amqp._producer_pool = None

    client = redis.Redis.from_url(url)
    client.flushdb()
    reset_pools()
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    settings.REDIS_URL = url
    try:
        yield
    finally:
        settings.REDIS_URL = old_url
        reset_pools()
        app.conf.update(old)
        client.flushdb()


class Worker:
    """`celery worker` in a session of its own, so that the whole process group can be killed."""

    def __init__(self, name: str, env: dict, log: Path) -> None:
        self.log = log
        self.output = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "culture_of_care",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=info",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                "-n",
                f"{name}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.output.close()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def wait_for(condition, *, timeout: float, what: str, logs=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    details = "\n".join(worker.tail() for worker in logs)
    pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}\n{details}")


def job_status(job_id: int) -> str:
    return ReportJob.objects.values_list("status", flat=True).get(pk=job_id)


def test_a_worker_killed_mid_report_leads_to_exactly_one_report(
    catalogue, ward, ward_manager, ward_staff, le_partner, le_leader, tmp_path
):
    require_services()
    round = signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )
    url = dedicated_redis_url()
    env = {
        **os.environ,
        # Base settings read PRIVATE_STORAGE_ROOT from the environment (test settings do not).
        "DJANGO_SETTINGS_MODULE": "culture_of_care.settings.base",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": url,
        "PRIVATE_STORAGE_ROOT": str(settings.PRIVATE_STORAGE_ROOT),
        "REPORT_RENDER_DELAY_SECONDS": str(RENDER_DELAY),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }
    workers: list[Worker] = []
    with broker(url):
        try:
            workers.append(Worker("reports-first", env, tmp_path / "first.log"))
            job = services.request_report(
                kind=ReportKind.WARD_ASSESSMENT, round=round, by=ward_staff
            )
            job.refresh_from_db()
            assert job.sent_at is not None, "the job was not sent to Redis"

            wait_for(
                lambda: job_status(job.pk) == JobStatus.RUNNING,
                timeout=90,
                what="the first worker to start the job",
                logs=workers,
            )
            time.sleep(1)
            workers[0].kill(signal.SIGKILL)
            job.refresh_from_db()
            assert job.status == JobStatus.RUNNING, "the job finished before its worker died"

            # Redis hands the unacknowledged message back once the visibility timeout has
            # passed; a worker restores such messages when it starts.
            redeliverable = job.started_at.timestamp() + VISIBILITY_TIMEOUT + 1
            time.sleep(max(0.0, redeliverable - time.time()))
            workers.append(Worker("reports-second", env, tmp_path / "second.log"))
            wait_for(
                lambda: job_status(job.pk) == JobStatus.DONE,
                timeout=120,
                what="the second worker to finish the job",
                logs=workers,
            )
        finally:
            for worker in workers:
                worker.kill(signal.SIGTERM)

    jobs = ReportJob.objects.filter(key=f"ward-assessment:{round.pk}")
    assert jobs.count() == 1
    job = jobs.get()
    assert job.status == JobStatus.DONE
    assert job.attempts >= 2
    path = Path(job.file.path)
    assert path.is_file()
    assert path.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(f"{job.pk}")] == [path.name]
