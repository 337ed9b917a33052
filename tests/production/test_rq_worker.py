"""E-mails on RQ (TASKS_BACKEND=rq), against the Redis server CI runs and real worker processes
(`manage.py run_worker`): a worker killed with SIGKILL in the middle of a send loses no e-mail (the
next worker and the scheduler's sweep deliver every one), and a failed send is retried after its
back-off, which RQ's scheduler keeps."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from rq.registry import ScheduledJobRegistry

from registro.notifications import services
from registro.notifications.models import OutboundEmail

from .support import SmtpSink, child_env, database_url, kill_tree, redis_flushed, redis_url, start, stop, wait_until

pytestmark = pytest.mark.django_db(transaction=True)  # the workers only see committed rows

RQ_URL = redis_url(2)


@pytest.fixture
def rq(settings):
    """This process enqueues on RQ, in the Redis database the child workers read."""
    conn = redis_flushed(RQ_URL)
    settings.TASKS_BACKEND = "rq"
    settings.RQ_QUEUES = {"default": {"URL": RQ_URL, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    yield conn
    conn.flushdb()


def rq_env(tmp_path, sink: SmtpSink, **variables):
    return child_env(
        tmp_path,
        DATABASE_URL=database_url(connection.settings_dict),
        TASKS_BACKEND="rq",
        TASKS_REDIS_URL=RQ_URL,
        CACHE_URL=RQ_URL,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
        EMAIL_TIMEOUT="10",
        **variables,
    )


def queue(n: int) -> list[OutboundEmail]:
    return [
        services.email_queue(to=[f"persona{i}@entidad.gov.co"], subject=f"Correo {i}", text_body="Texto")
        for i in range(n)
    ]


def statuses(emails) -> dict[str, str]:
    return {row.subject: row.status for row in OutboundEmail.objects.filter(pk__in=[e.pk for e in emails])}


def test_a_worker_killed_in_the_middle_of_a_send_loses_no_email(rq, tmp_path):
    with SmtpSink(hold_first=True) as sink:
        emails = queue(5)
        assert rq.llen("rq:queue:default") == 5
        env = rq_env(tmp_path, sink, EMAIL_SWEEP_INTERVAL_SECONDS="1", EMAIL_SWEEP_AFTER_SECONDS="1")
        log1, log2, log_s = tmp_path / "worker1.log", tmp_path / "worker2.log", tmp_path / "scheduler.log"
        first = start(["manage.py", "run_worker"], env, log1)
        try:
            wait_until(sink.held.is_set, timeout=30, what="the first worker sends", logs=[log1])
        finally:
            kill_tree(first)  # the machine dies: the worker and its work horse, no clean-up
        sink.release()
        held = OutboundEmail.objects.get(subject=sink.held_subject)
        # Its transaction died with the worker: nothing says it was sent, and its RQ job is lost.
        assert held.status == OutboundEmail.Status.QUEUED and held.attempts == 0

        second = start(["manage.py", "run_worker"], env, log2)
        scheduler = start(["manage.py", "run_scheduler"], {**env, "OPEN_DATA_SNAPSHOT_AT": ""}, log_s)
        try:
            wait_until(
                lambda: set(statuses(emails).values()) == {OutboundEmail.Status.SENT},
                timeout=40,
                what="every e-mail sent",
                logs=[log2, log_s],
            )
        finally:
            stop(second)
            stop(scheduler)
    assert set(sink.accepted) == {f"Correo {i}" for i in range(5)}  # every one delivered, none lost
    assert sink.held_subject in sink.accepted
    assert "email_sweep" in log_s.read_text()


def test_a_failed_send_is_retried_on_rq_after_its_back_off(rq, tmp_path):
    with SmtpSink(refuse_first=True) as sink:
        [email] = queue(1)
        log = tmp_path / "worker.log"
        worker = start(["manage.py", "run_worker"], rq_env(tmp_path, sink, EMAIL_RETRY_BASE_SECONDS="4"), log)
        try:
            retrying = wait_until(
                lambda: OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.RETRYING).first(),
                timeout=30,
                what="the first attempt fails",
                logs=[log],
            )
            assert retrying.attempts == 1 and "451" in retrying.last_error
            # The retry waits in RQ's scheduled registry for the back-off's due time.
            registry = ScheduledJobRegistry("default", connection=rq)
            [job_id] = wait_until(registry.get_job_ids, timeout=5, what="the retry is scheduled")
            due = datetime.fromtimestamp(rq.zscore(registry.key, job_id), tz=UTC)
            assert abs(due - retrying.next_attempt_at) < timedelta(seconds=1.5)
            wait_until(
                lambda: OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENT).exists(),
                timeout=30,
                what="the retry is sent",
                logs=[log],
            )
        finally:
            stop(worker)
    (first, _), (second, _) = sink.attempts
    assert second - first >= 3.9  # EMAIL_RETRY_BASE_SECONDS · 2⁰, not at once
    email.refresh_from_db()
    assert email.attempts == 2 and email.sent_at and sink.accepted == ["Correo 0"]
