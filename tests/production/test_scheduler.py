"""`manage.py run_scheduler`: when each periodic task is due, one enqueue per occurrence however
many schedulers run; the e-mail sweep it enqueues; `manage.py run_worker` on the database backend."""

from datetime import UTC, datetime, timedelta
from datetime import time as clock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from registro.core.management.commands.run_scheduler import Entry, Scheduler
from registro.notifications import services
from registro.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

RUNS: list[str] = []


@task()
def counted() -> None:
    RUNS.append("ran")


def test_occurrences_every_n_seconds_and_daily_at_a_local_time():
    every = Entry(name="s", task="x", every=300)
    assert every.next_after(datetime(2026, 3, 1, 10, 4, 59, tzinfo=UTC)) == datetime(2026, 3, 1, 10, 5, tzinfo=UTC)
    assert every.next_after(datetime(2026, 3, 1, 10, 5, tzinfo=UTC)) == datetime(2026, 3, 1, 10, 10, tzinfo=UTC)
    daily = Entry.from_setting({"name": "d", "task": "x", "at": "02:15"})
    assert daily.at == clock(2, 15)
    # 02:15 in Bogotá (UTC-5) is 07:15 UTC: before it, today; after it, tomorrow.
    assert daily.next_after(datetime(2026, 3, 1, 7, 0, tzinfo=UTC)) == datetime(2026, 3, 1, 7, 15, tzinfo=UTC)
    assert daily.next_after(datetime(2026, 3, 1, 7, 15, tzinfo=UTC)) == datetime(2026, 3, 2, 7, 15, tzinfo=UTC)
    with pytest.raises(ValueError):
        Entry.from_setting({"name": "both", "task": "x", "every": 5, "at": "02:15"})


def test_each_occurrence_is_enqueued_once_however_many_schedulers_run():
    RUNS.clear()
    entry = Entry(name="counted", task=f"{__name__}.counted", every=60)
    start = datetime(2026, 3, 1, 10, 0, 30, tzinfo=UTC)
    one, other = Scheduler([entry], start), Scheduler([entry], start)  # two app servers, one cache
    assert one.tick(start) == [] and RUNS == []
    due = datetime(2026, 3, 1, 10, 1, 0, tzinfo=UTC)
    assert one.tick(due) == ["counted"]
    assert other.tick(due + timedelta(seconds=0.5)) == []
    assert RUNS == ["ran"]
    assert one.tick(due + timedelta(seconds=1)) == []  # the next occurrence is a minute later
    assert other.tick(due + timedelta(seconds=60)) == ["counted"] and RUNS == ["ran", "ran"]
    assert other.seconds_to_next(due + timedelta(seconds=61)) == 59


def test_the_sweep_re_enqueues_only_the_overdue_emails_once_per_period(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # tasks are "lost"
    lost, retry_later, recent, sent = (
        services.email_queue(to=[f"{n}@entidad.gov.co"], subject=n, text_body="t")
        for n in ("lost", "retry_later", "recent", "sent")
    )
    long_ago = timezone.now() - timedelta(hours=1)
    OutboundEmail.objects.filter(pk__in=[lost.pk, retry_later.pk, sent.pk]).update(created_at=long_ago)
    OutboundEmail.objects.filter(pk=retry_later.pk).update(
        status=OutboundEmail.Status.RETRYING, attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    OutboundEmail.objects.filter(pk=sent.pk).update(status=OutboundEmail.Status.SENT)

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        assert services.email_requeue_overdue(overdue=timedelta(minutes=15)) == 1
    assert [m.subject for m in mail.outbox] == ["lost"]
    assert OutboundEmail.objects.get(pk=lost.pk).status == OutboundEmail.Status.SENT

    # A re-enqueued message whose task is slow again is not enqueued a second time at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    OutboundEmail.objects.filter(pk=recent.pk).update(created_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.email_requeue_overdue(overdue=timedelta(minutes=15)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.email_requeue_overdue(overdue=timedelta(minutes=15)) == 0


def test_a_failed_send_records_when_it_is_due_again(settings):
    settings.EMAIL_RETRY_BASE_SECONDS = 30
    email = services.email_queue(to=["a@entidad.gov.co"], subject="s", text_body="t")
    settings.EMAIL_BACKEND = "tests.production.test_scheduler.FailingBackend"
    before = timezone.now()
    services.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.RETRYING
    assert before + timedelta(seconds=30) <= email.next_attempt_at <= timezone.now() + timedelta(seconds=30)


class FailingBackend:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("down")


@pytest.mark.django_db(transaction=True)
def test_run_worker_on_the_database_backend_runs_db_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_BACKEND = "database"
    with transaction.atomic():
        email = services.email_queue(to=["a@entidad.gov.co"], subject="s", text_body="t")
    assert mail.outbox == []
    call_command("run_worker", "--burst")
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and len(mail.outbox) == 1
