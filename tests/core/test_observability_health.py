"""/health/ (docs/adr/0020): database, cache, task queue and storage each checked on its own; 200
when all answer, 503 naming the one that failed, the detail only for HEALTH_TOKEN or
HEALTH_TRUSTED_IPS. /healthz, the liveness probe, is tests/core/test_health.py's."""

import datetime
import os
import uuid

import boto3
import pytest
from django.test import Client
from django.utils import timezone
from health_check.checks import Database
from health_check.exceptions import ServiceUnavailable
from moto import mock_aws

REDIS_URL = os.environ.get("TEST_REDIS_URL_DEPLOY", "redis://127.0.0.1:6379/6")
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
TOKEN = "health-token-for-tests"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _token(settings):
    settings.HEALTH_TOKEN = TOKEN
    settings.HEALTH_TRUSTED_IPS = []
    settings.HEALTH_CACHE_SECONDS = 0  # every request checks afresh, but test_the_report_is_reused


def detail(client=None, **headers):
    response = (client or Client()).get("/health/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **headers)
    return response.status_code, response.json()


def test_everyone_gets_the_overall_status_and_nothing_more(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    # A wrong token, or another scheme, is no token.
    assert client.get("/health/", HTTP_AUTHORIZATION="Bearer wrong").json() == {"status": "ok"}
    assert client.get("/health/", HTTP_AUTHORIZATION=f"Basic {TOKEN}").json() == {"status": "ok"}


def test_probes_over_plain_http_are_not_redirected(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.METRICS_TOKEN = "m"
    assert Client().get("/cuentas/login/").status_code == 301
    assert Client().get("/health/").status_code == 200
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer m").status_code == 200


def test_the_token_shows_each_component(settings):
    status, body = detail()
    assert status == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "task_queue", "storage"}
    assert all(entry["status"] == "ok" for entry in body["checks"].values())


def test_a_trusted_address_sees_the_detail_without_a_token(settings):
    settings.HEALTH_TRUSTED_IPS = ["10.0.0.0/8"]
    assert "checks" not in Client().get("/health/").json()  # 127.0.0.1 is not in it
    assert "checks" in Client(REMOTE_ADDR="10.1.2.3").get("/health/").json()
    # Behind the proxy: the client's address from X-Forwarded-For, believed from the proxy only.
    settings.TRUSTED_PROXY_COUNT = 1
    assert "checks" in Client().get("/health/", HTTP_X_FORWARDED_FOR="10.9.9.9").json()
    assert "checks" not in Client(REMOTE_ADDR="203.0.113.5").get("/health/", HTTP_X_FORWARDED_FOR="10.9.9.9").json()


def test_a_failed_cache_is_named_and_the_others_still_reported(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS}
    }
    status, body = detail()
    assert status == 503 and body["status"] == "error"
    assert body["checks"]["cache"]["status"] == "error" and body["checks"]["cache"]["error"]
    assert {name for name, entry in body["checks"].items() if entry["status"] == "ok"} == {
        "database",
        "task_queue",
        "storage",
    }
    # The public answer says only that something is wrong.
    response = Client().get("/health/")
    assert (response.status_code, response.json()) == (503, {"status": "error"})


def test_a_failed_database_is_named(monkeypatch):
    def down(self):
        raise ServiceUnavailable("connection refused")

    monkeypatch.setattr(Database, "run", down)
    status, body = detail()
    assert status == 503
    assert body["checks"]["database"] == {
        "status": "error",
        "seconds": body["checks"]["database"]["seconds"],
        "error": "Unavailable: connection refused",
    }


def test_the_database_task_queue_answers_with_its_oldest_pending_task(settings):
    settings.TASKS = DB_TASKS
    status, body = detail()
    assert status == 200
    assert body["checks"]["task_queue"] | {"seconds": 0} == {
        "status": "ok",
        "seconds": 0,
        "backend": "database",
        "oldest_pending_seconds": 0,
    }


@pytest.mark.django_db(transaction=True)
def test_a_task_waiting_too_long_means_no_worker_runs(settings):
    # Committed rows: the check reads them on a connection of its own.
    from django_tasks_db.models import DBTaskResult, get_date_max

    settings.TASKS = DB_TASKS
    settings.HEALTH_TASK_MAX_AGE_SECONDS = 600
    task = DBTaskResult.objects.create(
        task_path="registro.notifications.tasks.send_email",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
    )
    status, body = detail()
    assert status == 200 and body["checks"]["task_queue"]["oldest_pending_seconds"] < 60
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - datetime.timedelta(hours=1))
    status, body = detail()
    assert status == 503
    assert body["checks"]["task_queue"]["status"] == "error"
    assert "worker" in body["checks"]["task_queue"]["error"]
    assert body["checks"]["task_queue"]["oldest_pending_seconds"] >= 3600
    # A retry deferred to later is not late.
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now() + datetime.timedelta(minutes=5))
    assert detail()[0] == 200


def test_the_rq_task_queue_pings_the_default_queues_redis(settings):
    settings.TASKS = RQ_TASKS
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    status, body = detail()
    assert status == 200, body
    assert body["checks"]["task_queue"]["backend"] == "rq"
    settings.RQ_QUEUES = {"default": {"URL": UNREACHABLE_REDIS}}
    status, body = detail()
    assert status == 503
    assert body["checks"]["task_queue"]["status"] == "error"
    assert "'default'" in body["checks"]["task_queue"]["error"]


def _s3(bucket: str) -> dict:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": bucket, "region_name": "us-east-1", "default_acl": None, "file_overwrite": False},
    }


def test_storage_on_s3_writes_reads_and_deletes_a_file(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    bucket = f"registro-{uuid.uuid4().hex[:8]}"
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=bucket)
        settings.STORAGES = {**settings.STORAGES, "default": _s3(bucket)}
        status, body = detail()
        assert status == 200 and body["checks"]["storage"]["status"] == "ok"
        assert client.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0  # nothing left behind
        settings.STORAGES = {**settings.STORAGES, "default": _s3("no-such-bucket")}
        status, body = detail()
        assert status == 503 and body["checks"]["storage"]["status"] == "error"


def test_storage_on_disk_leaves_no_file(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    assert detail()[0] == 200
    assert not [path for path in (tmp_path / "media").rglob("*") if path.is_file()]


def test_the_report_is_reused_for_a_few_seconds(settings, monkeypatch):
    from registro.core.observability import health

    settings.HEALTH_CACHE_SECONDS = 60
    monkeypatch.setattr(health, "_last", None)
    calls = []
    real = health.run_checks
    monkeypatch.setattr(health, "run_checks", lambda: calls.append(1) or real())
    for _ in range(3):
        assert Client().get("/health/").status_code == 200
    assert len(calls) == 1
    monkeypatch.setattr(health, "_last", (health._last[0] - 61, health._last[1]))
    assert Client().get("/health/").status_code == 200
    assert len(calls) == 2
