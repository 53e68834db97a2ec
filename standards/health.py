"""Is the Celery broker reachable, and has a worker answered lately? Pages use the first to
say when reports will be delayed; /health/ reports both for monitoring."""

import time

from django.conf import settings

HEARTBEAT_KEY = "health:worker-heartbeat"
# A worker writes its heartbeat every minute (Celery beat); older than this, it is missing.
HEARTBEAT_STALE_SECONDS = 180


def broker_status() -> str:
    """'in-process' on the embedded default, else 'ok' or 'unavailable'."""
    if not settings.REDIS_URL:
        return "in-process"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        client.ping()
    except redis.RedisError:
        return "unavailable"
    return "ok"


def record_heartbeat() -> float:
    """Called by a worker (the `heartbeat` task): "a worker answered at this time"."""
    import redis

    now = time.time()
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    client.set(HEARTBEAT_KEY, str(now), ex=HEARTBEAT_STALE_SECONDS * 10)
    return now


def worker_status() -> str:
    """'in-process' on the embedded default; else 'ok' when a worker wrote its heartbeat in the
    last few minutes, 'no recent heartbeat' when not, 'unknown' when Redis cannot be read."""
    if not settings.REDIS_URL:
        return "in-process"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        value = client.get(HEARTBEAT_KEY)
    except redis.RedisError:
        return "unknown"
    if value is None or time.time() - float(value) > HEARTBEAT_STALE_SECONDS:
        return "no recent heartbeat"
    return "ok"
