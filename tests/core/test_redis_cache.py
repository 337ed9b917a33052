"""`CACHE_URL=redis://…`, the README's advice for production, against the Redis server CI runs
(127.0.0.1:6379): the settings pick Django's Redis cache, pages answer, and the failed-login limit
is kept in Redis, where every app server sees it."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_cache_url_selects_the_redis_backend():
    code = "import json, config.settings as s; print(json.dumps(s.CACHES['default']))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "x", "DEBUG": "0", "CACHE_URL": REDIS_URL},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}


@pytest.fixture
def redis_cache():
    config = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    with override_settings(CACHES=config):
        cache = caches["default"]
        try:
            cache.set("ping", "pong", 5)
        except Exception as exc:  # the server CI runs must be there
            pytest.fail(f"Redis at {REDIS_URL} does not answer: {exc}", pytrace=False)
        yield cache
        cache.clear()
        caches["default"].close()


@pytest.mark.django_db
def test_pages_and_failed_login_limit_on_redis(client, redis_cache, user, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}
    assert client.get("/cuentas/login/").status_code == 200
    marker = uuid.uuid4().hex
    redis_cache.set(marker, 1, 30)
    for _ in range(3):
        client.post("/cuentas/login/", {"login": user.username, "password": "mal"})
    # The limit's counters live in Redis, not in this process.
    assert any(key for key in redis_cache._cache.get_client().keys("*") if b"ratelimit" in key or b"rl:" in key)
    response = client.post("/cuentas/login/", {"login": user.username, "password": "mal"})
    assert "demasiados" in response.content.decode().lower()
    assert redis_cache.get(marker) == 1
