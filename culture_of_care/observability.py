"""Logs a trust's IT team can search, and errors sent to a tracker (docs/decisions/0016).

- Every request gets an id: the one a trusted proxy sent in `X-Request-ID` when it looks like an
  id, else a new one. It is returned in the response's `X-Request-ID` header, added to every log
  record made while the request runs, and carried in the headers of every Celery task the
  request sends, so the task's log lines carry it too.
- One log line per request (method, path, status, milliseconds, user id) and one per task (name,
  id, outcome, milliseconds). Production settings write every record as one JSON line.
- Errors go to Sentry when SENTRY_DSN is set, without personal data or request bodies (people
  type comments about the ward there); nothing is sent when it is not set.

Paths are logged without their query strings, and never a form's contents.
"""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

request_log = logging.getLogger("culture_of_care.requests")
task_log = logging.getLogger("culture_of_care.tasks")


def current_request_id() -> str:
    return _request_id.get()


def new_request_id(offered: str | None = None) -> str:
    """The proxy's id when it looks like one (never anything that could forge a log line)."""
    if offered and _SAFE_ID.match(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            # Django logs a 4xx or 5xx after the middleware has returned, with the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", "") or current_request_id()
        return True


class RequestLogMiddleware:
    """First in the chain: sets the request id, logs one line when the response is ready."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            user = getattr(request, "user", None)
            request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            _request_id.reset(token)


# Celery: the id travels in the task message's headers and is set while the task runs.


def add_request_id_to_task(headers: dict | None = None, **_: object) -> None:
    """`before_task_publish`: the sending request's id goes with the task."""
    request_id = current_request_id()
    if headers is not None and request_id and not headers.get("request_id"):
        headers["request_id"] = request_id


_task_state: dict[str, tuple[contextvars.Token, float]] = {}


def task_started(task_id: str | None = None, task: object = None, **_: object) -> None:
    """`task_prerun`: the task's log records carry the id of the request that sent it."""
    request = getattr(task, "request", None)
    request_id = getattr(request, "request_id", None) or ""
    if not request_id and request is not None:
        request_id = (getattr(request, "headers", None) or {}).get("request_id", "")
    token = _request_id.set(request_id or "")
    if task_id:
        _task_state[task_id] = (token, time.perf_counter())


def task_finished(
    task_id: str | None = None, task: object = None, state: str | None = None, **_: object
) -> None:
    """`task_postrun`: one line per task, then the id is cleared."""
    token, started = _task_state.pop(task_id or "", (None, None))
    task_log.info(
        "task %s %s",
        getattr(task, "name", "?"),
        state or "?",
        extra={
            "task": getattr(task, "name", "?"),
            "task_id": task_id,
            "state": state,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        },
    )
    if token is not None:
        _request_id.reset(token)


def connect_celery_signals() -> None:
    from celery.signals import before_task_publish, task_postrun, task_prerun

    before_task_publish.connect(add_request_id_to_task, weak=False)
    task_prerun.connect(task_started, weak=False)
    task_postrun.connect(task_finished, weak=False)


def json_logging(level: str) -> dict:
    """The LOGGING setting for production: every record one JSON line on standard error."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "culture_of_care.observability.RequestIdFilter"}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                "timestamp": False,
            }
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own 4xx/5xx lines repeat the request line, without its id's context.
            "django.server": {"level": "WARNING"},
        },
    }


def init_error_tracker(*, dsn: str, environment: str, release: str) -> bool:
    """Sentry when a DSN is set; False (and nothing loaded) when not."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,  # no user names, emails, cookies or addresses
        max_request_body_size="never",  # comments about the ward are never sent
        traces_sample_rate=0.0,
    )
    return True
