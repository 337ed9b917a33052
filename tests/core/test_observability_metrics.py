"""/metrics (docs/adr/0020): protected by METRICS_TOKEN or METRICS_TRUSTED_IPS (404 otherwise), and
each metric moves with what it counts. Across gunicorn's worker processes:
tests/deploy/test_gunicorn_metrics.py."""

import datetime
import os

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from registro.notifications import services as email_services
from tests.factories import PASSWORD, UserFactory

TOKEN = "metrics-token-for-tests"
REDIS_URL = os.environ.get("TEST_REDIS_URL_DEPLOY", "redis://127.0.0.1:6379/6")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _protected(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_TRUSTED_IPS = []


def scrape(client=None) -> dict:
    """{(name, frozenset(labels)): value} of one scrape."""
    response = (client or Client()).get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


# --- Protection -------------------------------------------------------------------------------------


def test_without_token_or_address_configured_nobody_gets_them(settings):
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_only_the_token_opens_them(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    # Logged in is not enough, even as staff.
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/metrics").status_code == 404


def test_a_trusted_address_needs_no_token(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_TRUSTED_IPS = ["10.0.0.0/8", "fd00::/8"]
    assert Client(REMOTE_ADDR="10.20.30.40").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="fd00::1").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.7").get("/metrics").status_code == 404
    # Behind the proxy, the client's address counts, and only a trusted proxy may name it.
    settings.TRUSTED_PROXY_COUNT = 1
    assert Client().get("/metrics", HTTP_X_FORWARDED_FOR="10.1.1.1").status_code == 200
    assert Client().get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 404
    assert Client(REMOTE_ADDR="203.0.113.7").get("/metrics", HTTP_X_FORWARDED_FOR="10.1.1.1").status_code == 404


# --- Each metric moves ----------------------------------------------------------------------------


def test_requests_by_method_view_and_status_and_their_latency(client):
    before = scrape()
    client.get("/healthz")
    client.get("/healthz")
    client.post("/healthz")  # 405
    client.get("/no-existe/")
    after = scrape()
    assert (
        value(after, "registro_http_requests_total", method="GET", view="healthz", status="200")
        - value(before, "registro_http_requests_total", method="GET", view="healthz", status="200")
        == 2
    )
    assert (
        value(after, "registro_http_requests_total", method="POST", view="healthz", status="405")
        - value(before, "registro_http_requests_total", method="POST", view="healthz", status="405")
        == 1
    )
    # Unknown paths share one label: a scanner cannot blow up the series.
    assert (
        value(after, "registro_http_requests_total", method="GET", view="unresolved", status="404")
        - value(before, "registro_http_requests_total", method="GET", view="unresolved", status="404")
        == 1
    )
    count = "registro_http_request_duration_seconds_count"
    assert value(after, count, method="GET", view="healthz") - value(before, count, method="GET", view="healthz") == 2
    bucket = "registro_http_request_duration_seconds_bucket"
    assert value(after, bucket, method="GET", view="healthz", le="+Inf") >= 2


def test_logins_and_failed_logins(client):
    user = UserFactory()
    before = scrape()
    client.post("/cuentas/login/", {"login": user.username, "password": "no-es-la-clave"})
    client.post("/cuentas/login/", {"login": "nadie-con-ese-nombre", "password": "no-es-la-clave"})
    after_failures = scrape()
    assert value(after_failures, "registro_login_failures_total") - value(before, "registro_login_failures_total") == 2
    assert value(after_failures, "registro_logins_total") == value(before, "registro_logins_total")
    response = client.post("/cuentas/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302
    after = scrape()
    assert value(after, "registro_logins_total") - value(before, "registro_logins_total") == 1
    assert value(after, "registro_login_failures_total") == value(after_failures, "registro_login_failures_total")


def test_queue_depth_of_the_database_backend(settings):
    from django_tasks_db.models import DBTaskResult, get_date_max

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def task(**fields):
        return DBTaskResult.objects.create(
            task_path="registro.notifications.tasks.send_email",
            args_kwargs={"args": [1], "kwargs": {}},
            backend_name="default",
            **fields,
        )

    assert value(scrape(), "registro_tasks_pending", queue="default") == 0
    task(run_after=get_date_max())
    task(run_after=timezone.now() - datetime.timedelta(seconds=5))
    task(run_after=timezone.now() + datetime.timedelta(minutes=10))  # a retry, later
    task(run_after=get_date_max(), status="SUCCESSFUL")
    samples = scrape()
    assert value(samples, "registro_tasks_pending", queue="default") == 2
    assert value(samples, "registro_tasks_scheduled", queue="default") == 1
    assert value(samples, "registro_tasks_oldest_pending_age_seconds", queue="default") >= 0


def test_queue_depth_of_rq(settings):
    import django_rq
    from rq import Queue
    from rq.registry import ScheduledJobRegistry

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    # rq's own queue: django-rq's waits for the test's transaction to commit before enqueuing.
    queue = Queue("default", connection=django_rq.get_connection("default"))
    scheduled = ScheduledJobRegistry(queue=queue)

    def clear():
        queue.empty()
        for job_id in scheduled.get_job_ids():
            scheduled.remove(job_id, delete_job=True)

    clear()
    try:
        assert value(scrape(), "registro_tasks_pending", queue="default") == 0
        for _ in range(3):
            queue.enqueue("os.getcwd")
        queue.enqueue_in(datetime.timedelta(minutes=10), "os.getcwd")
        samples = scrape()
        assert value(samples, "registro_tasks_pending", queue="default") == 3
        assert value(samples, "registro_tasks_scheduled", queue="default") == 1
    finally:
        clear()


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_emails_sent_and_failed(settings):
    before = scrape()

    def queue_and_send():
        email = email_services.email_queue(to=["ana@entidad.gov.co"], subject="Asunto", text_body="Texto")
        return email_services.email_send(email_id=email.pk)

    assert queue_and_send().status == "sent"
    settings.EMAIL_BACKEND = "tests.core.test_observability_metrics.RefusingBackend"
    settings.EMAIL_MAX_ATTEMPTS = 1
    assert queue_and_send().status == "failed"
    settings.EMAIL_MAX_ATTEMPTS = 3
    assert queue_and_send().status == "retrying"
    after = scrape()
    assert value(after, "registro_emails_sent_total") - value(before, "registro_emails_sent_total") == 1
    assert value(after, "registro_emails_failed_total") - value(before, "registro_emails_failed_total") == 1
    assert (
        value(after, "registro_emails_waiting", status="retrying")
        - value(before, "registro_emails_waiting", status="retrying")
        == 1
    )


def test_a_failing_collector_leaves_the_other_metrics(monkeypatch):
    from registro.notifications.metrics import EmailCollector

    def broken(self):
        raise RuntimeError("database down")
        yield

    monkeypatch.setattr(EmailCollector, "collect", broken)
    samples = scrape()
    assert not any(name.startswith("registro_emails") for name, _labels in samples)
    assert any(name == "registro_http_requests_total" for name, _labels in samples)
