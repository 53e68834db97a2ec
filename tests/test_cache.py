"""Sign-in and every page keep working when Redis is down or hung: the cache falls back to
this process's memory (culture_of_care/cache.py, docs/decisions/0020)."""

import os
import socket
import threading

import pytest
from django.core.cache import caches
from django.urls import reverse

from culture_of_care.cache import ResilientRedisCache
from tests.conftest import IN_CI
from tests.factories import DEFAULT_PASSWORD

RESILIENT = "culture_of_care.cache.ResilientRedisCache"


def closed_port() -> int:
    """A loopback port with nothing listening: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HungRedis:
    """Accepts connections and never answers, as a Redis stuck on a full disk would."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def hung_redis():
    server = HungRedis()
    yield server
    server.close()


def use_cache(settings, location: str) -> None:
    settings.CACHES = {"default": {"BACKEND": RESILIENT, "LOCATION": location}}


def test_with_redis_down_the_cache_answers_from_memory():
    cache = ResilientRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})
    cache.set("failures", [1, 2], 60)
    assert cache.get("failures") == [1, 2]
    assert cache.add("new", 1) is True and cache.incr("new") == 2
    assert cache.redis_available is False  # not asked again for a while


def test_a_hung_redis_costs_one_short_timeout_not_one_per_call(hung_redis):
    cache = ResilientRedisCache(f"redis://127.0.0.1:{hung_redis.port}/0", {})
    assert cache.get("anything", "default") == "default"  # waited 0.5 s, then memory
    for _ in range(20):
        cache.set("key", "value")
        assert cache.get("key") == "value"
    assert len(hung_redis.accepted) == 1  # Redis was not asked again


@pytest.mark.django_db
def test_sign_in_works_with_redis_down(client, settings, ward_staff):
    use_cache(settings, f"redis://127.0.0.1:{closed_port()}/0")

    response = client.post(
        reverse("account_login"), {"login": "staff", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_sign_in_works_with_redis_hung_and_repeated_failures_are_still_refused(
    client, settings, ward_staff, hung_redis
):
    use_cache(settings, f"redis://127.0.0.1:{hung_redis.port}/0")
    settings.SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS = 3

    for _ in range(3):
        wrong = client.post(reverse("account_login"), {"login": "staff", "password": "wrong"})
        assert wrong.status_code == 200
    refused = client.post(
        reverse("account_login"), {"login": "staff", "password": DEFAULT_PASSWORD}
    )

    assert "Too many failed attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_with_redis_up_the_cache_is_redis():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if IN_CI:
            pytest.fail("REDIS_URL is not set (required in CI)")
        pytest.skip("REDIS_URL is not set")
    cache = ResilientRedisCache(url, {"KEY_PREFIX": "cache-test"})
    cache.set("shared", "across processes", 30)
    other = ResilientRedisCache(url, {"KEY_PREFIX": "cache-test"})  # a second web process
    assert other.get("shared") == "across processes"
    assert cache.redis_available is True
    cache.delete("shared")
    caches.close_all()
