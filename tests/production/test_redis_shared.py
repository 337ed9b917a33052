"""With CACHE_URL=redis://… everything several app servers must agree on lives in Redis: the
failed-login limits, the trusted-device budget and the sessions' cache; sessions are also written
to the database, so a Redis flush logs nobody out. Against the Redis server CI runs."""

import json
import subprocess
import sys

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client

from tests.factories import PASSWORD, UserFactory

from .support import ROOT, child_env, redis_flushed, redis_url

pytestmark = pytest.mark.django_db

CACHE_URL = redis_url(1)
LOGIN = "/cuentas/login/"


@pytest.fixture
def redis_cache(settings):
    conn = redis_flushed(CACHE_URL)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield conn
    caches["default"].close()
    conn.flushdb()


def configured(tmp_path, **variables) -> dict:
    code = (
        "import json, config.settings as s; print(json.dumps({'caches': s.CACHES, 'session': s.SESSION_ENGINE, "
        "'tasks': s.TASKS, 'rq': s.RQ_QUEUES}))"
    )
    env = child_env(tmp_path, **variables)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_redis_selects_cached_sessions_and_the_rq_connection_by_default(tmp_path):
    on_redis = configured(tmp_path, CACHE_URL=CACHE_URL, TASKS_BACKEND="rq")
    assert on_redis["session"] == "django.contrib.sessions.backends.cached_db"
    assert on_redis["tasks"]["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert on_redis["rq"]["default"]["URL"] == CACHE_URL  # TASKS_REDIS_URL defaults to the cache's Redis
    own = configured(tmp_path, CACHE_URL=CACHE_URL, TASKS_BACKEND="rq", TASKS_REDIS_URL=redis_url(3))
    assert own["rq"]["default"]["URL"] == redis_url(3)
    plain = configured(tmp_path, CACHE_URL="", TASKS_BACKEND="")
    assert plain["session"] == "django.contrib.sessions.backends.db"
    assert plain["caches"]["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert plain["tasks"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert plain["rq"]["default"]["URL"] == "redis://127.0.0.1:6379/0"


def test_an_unknown_task_backend_is_refused(tmp_path):
    env = child_env(tmp_path, TASKS_BACKEND="celery")
    out = subprocess.run(
        [sys.executable, "-c", "import config.settings"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode != 0 and "TASKS_BACKEND" in out.stderr


def test_sessions_are_cached_in_redis_and_survive_a_flush(redis_cache):
    user = UserFactory()
    client = Client()
    assert client.post(LOGIN, {"login": user.username, "password": PASSWORD}).status_code == 302
    key = client.cookies["sessionid"].value
    assert any(key.encode() in k for k in redis_cache.keys("*"))  # read from Redis by every server
    assert Session.objects.filter(session_key=key).exists()  # and written through to the database
    redis_cache.flushdb()
    page = client.get("/usuario/accesos/")
    assert page.status_code == 200 and page.wsgi_request.user == user


def _login_failed_keys(conn) -> set[bytes]:
    return {k for k in conn.keys("*") if b":rl:" in k and b"login_failed" in k and not k.endswith(b":lock")}


def test_the_trusted_device_budget_lives_in_redis(redis_cache, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "100/m/ip,3/5m/key"}
    user = UserFactory()
    owner = Client()
    assert owner.post(LOGIN, {"login": user.username, "password": PASSWORD}).status_code == 302
    owner.post("/cuentas/logout/")
    attacker = Client()
    for _ in range(3):
        attacker.post(LOGIN, {"login": user.username, "password": "Equivocada#1"})
    before = _login_failed_keys(redis_cache)
    owner.post(LOGIN, {"login": user.username, "password": "Equivocada#1"})
    device_keys = _login_failed_keys(redis_cache) - before
    assert len(device_keys) == 1  # the owner's browser: its own per-account budget, in Redis
    assert attacker.post(LOGIN, {"login": user.username, "password": PASSWORD}).status_code == 200
    assert owner.post(LOGIN, {"login": user.username, "password": PASSWORD}).status_code == 302
    # Another app server sees the attacker's spent budget: it is in Redis, not in this process.
    redis_cache.delete(*before)
    assert attacker.post(LOGIN, {"login": user.username, "password": PASSWORD}).status_code == 302
