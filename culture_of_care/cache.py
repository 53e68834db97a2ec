"""Redis as Django's cache, never the reason a page fails (docs/decisions/0020).

The cache holds sign-in failure counts, rate limits and a few short-lived reads. When Redis is
down or hung, Django's own Redis backend raises (a 500 on every sign-in) or waits for the
operating system's timeout. This backend gives Redis short socket timeouts and, when a call
fails, answers from a small in-memory cache in this process instead, then leaves Redis alone
for a few seconds before trying it again. Rate limits and sign-in protection keep working, per
process, while Redis is away; /health/ says "degraded" (the broker check) meanwhile.
"""

import logging
import threading
import time
from typing import Any

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

# Seconds to wait for Redis to connect or answer before falling back.
DEFAULT_SOCKET_TIMEOUT = 0.5
# After a failure, Redis is not asked again for this long: a hung Redis costs one timeout, not
# one per call.
RETRY_AFTER_SECONDS = 15
REDIS_ERRORS = (redis.RedisError, OSError)


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._fallback = LocMemCache(
            f"redis-fallback-{id(self)}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": 10_000}},
        )
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def redis_available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.redis_available:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except REDIS_ERRORS as error:
                with self._lock:
                    first = self.redis_available
                    self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
                if first:
                    log.warning(
                        "Redis cache unavailable (%s): using this process's memory for %s s",
                        error.__class__.__name__,
                        RETRY_AFTER_SECONDS,
                    )
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> dict:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> int:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> list:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> None:
        return self._call("clear")
