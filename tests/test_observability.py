"""Logs a trust's IT team can follow from a request to the task it started, and an error tracker
that is off unless configured (culture_of_care/observability.py, docs/decisions/0016)."""

import gzip
import http.server
import json
import logging
import logging.config
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from culture_of_care import observability

ROOT = Path(__file__).resolve().parent.parent


def json_lines(records: list[logging.LogRecord]) -> list[dict]:
    """The records as production's handler writes them."""
    config = observability.json_logging("INFO")
    formatter = logging.config.dictConfigClass(config).configure_formatter(
        config["formatters"]["json"]
    )
    return [json.loads(formatter.format(record)) for record in records]


@pytest.fixture(autouse=True)
def request_ids_on_records(caplog):
    """As production's handler: the id is added when the record is made."""
    request_filter = observability.RequestIdFilter()
    caplog.handler.addFilter(request_filter)
    yield
    caplog.handler.removeFilter(request_filter)


@pytest.fixture
def request_records(caplog):
    caplog.set_level(logging.INFO, logger="culture_of_care.requests")
    return caplog


@pytest.mark.django_db
def test_every_response_says_its_request_id_and_one_json_line_is_logged(client, request_records):
    response = client.get("/health/")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    (line,) = json_lines(
        [r for r in request_records.records if r.name == "culture_of_care.requests"]
    )
    assert line["request_id"] == request_id
    assert line["method"] == "GET" and line["path"] == "/health/" and line["status"] == 200
    assert line["level"] == "INFO" and line["logger"] == "culture_of_care.requests"
    assert isinstance(line["duration_ms"], float)


def test_a_proxys_request_id_is_kept_and_anything_else_replaced(client):
    kept = client.get("/health/", headers={"X-Request-ID": "lb-7f3a9c21"})
    forged = client.get("/health/", headers={"X-Request-ID": 'x"\n{"level": "ERROR"}'})

    assert kept["X-Request-ID"] == "lb-7f3a9c21"
    assert forged["X-Request-ID"] != 'x"\n{"level": "ERROR"}'
    assert len(forged["X-Request-ID"]) == 32


def test_the_request_line_names_the_person_by_id_and_never_the_query_string(
    client, request_records, django_user_model
):
    user = django_user_model.objects.create_user(username="ward.staff", password="x" * 20)
    client.force_login(user)

    client.get("/privacy/?name=Someone+Private")

    (record,) = [r for r in request_records.records if r.name == "culture_of_care.requests"]
    assert record.user_id == user.pk
    assert "Someone" not in record.getMessage() and record.path == "/privacy/"


def test_a_404_logged_by_django_carries_the_id_of_its_request(client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")

    response = client.get("/no-such-page/", headers={"X-Request-ID": "lb-00000404"})

    assert response.status_code == 404
    (line,) = json_lines([r for r in caplog.records if r.name == "django.request"])
    assert line["request_id"] == "lb-00000404"


def test_a_task_sent_during_a_request_carries_its_id_into_the_tasks_log_lines(caplog):
    caplog.set_level(logging.INFO, logger="culture_of_care.tasks")
    token = observability._request_id.set("req-12345678")
    headers: dict = {}
    try:
        observability.add_request_id_to_task(headers=headers)
    finally:
        observability._request_id.reset(token)
    assert headers == {"request_id": "req-12345678"}

    # The worker: the id arrives as an attribute of the task's request.
    task = SimpleNamespace(name="reports.tasks.generate_report", request=SimpleNamespace(**headers))
    observability.task_started(task_id="t-1", task=task)
    logging.getLogger("reports.services").info("Report job 1 is ready")
    observability.task_finished(task_id="t-1", task=task, state="SUCCESS")

    inside, done = json_lines(
        [r for r in caplog.records if r.name in {"reports.services", "culture_of_care.tasks"}]
    )
    assert inside["request_id"] == done["request_id"] == "req-12345678"
    assert done["task"] == "reports.tasks.generate_report" and done["state"] == "SUCCESS"
    assert observability.current_request_id() == ""  # cleared for the worker's next task


def test_a_task_not_sent_by_a_request_has_no_id():
    headers: dict = {}
    observability.add_request_id_to_task(headers=headers)
    assert headers == {}


def test_no_error_tracker_without_a_dsn():
    assert observability.init_error_tracker(dsn="", environment="x", release="") is False


class _Collector(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        _Collector.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.mark.slow
def test_with_a_dsn_production_sends_an_error_to_the_tracker_without_what_was_typed():
    """Production settings with SENTRY_DSN: a view's exception reaches the tracker (a loopback
    stand-in), and the comment posted with the request does not."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Collector.received.clear()
    script = """
import sys, types
import django
django.setup()
import sentry_sdk
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.test import Client, override_settings
from django.urls import path

assert settings.ERROR_TRACKER_ENABLED

@login_not_required
def broken(request):
    raise RuntimeError("smoke error for the tracker")

urls = types.ModuleType("broken_urls")
urls.urlpatterns = [path("broken/", broken)]
sys.modules["broken_urls"] = urls
# The 500 page without a collectstatic manifest: this test is about the tracker.
storages = settings.STORAGES | {
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
}
with override_settings(ROOT_URLCONF="broken_urls", STORAGES=storages):
    response = Client(raise_request_exception=False).post(
        "/broken/", {"comment-1": "PRIVATE WORDS"}, secure=True
    )
assert response.status_code == 500, response.status_code
sentry_sdk.flush(5)
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SENTRY_"))} | {
        "DJANGO_SETTINGS_MODULE": "culture_of_care.settings.production",
        "SECRET_KEY": "a-test-only-secret-key-that-is-long-enough-0123456789",
        "ALLOWED_HOSTS": "testserver",
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/1",
    }
    try:
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=60
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr.decode()
    sent = b"".join(_Collector.received)
    assert b"smoke error for the tracker" in sent
    assert b"PRIVATE WORDS" not in sent
