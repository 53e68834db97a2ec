"""Is the Celery broker reachable? Pages use this to say when reports will be delayed."""

from django.conf import settings


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
