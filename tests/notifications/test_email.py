"""E-mail: queued in the transaction, sent by the worker after commit, retried, readable in the
dev outbox."""

from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from registro.notifications import services
from registro.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queue(**overrides):
    data = {"to": ["ana@entidad.gov.co"], "subject": "Asunto", "text_body": "Texto", "html_body": "<p>HTML</p>"}
    data.update(overrides)
    return services.email_queue(**data)


def test_nothing_is_sent_inside_the_transaction_and_nothing_if_it_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queue()
                assert mail.outbox == []
                raise RuntimeError("the business write failed")
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()


def test_queued_email_is_sent_after_commit_with_text_and_html(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
    [message] = mail.outbox
    assert message.subject == "Asunto" and message.body == "Texto"
    assert message.alternatives[0][0] == "<p>HTML</p>"
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 1 and email.sent_at


def test_a_transport_failure_is_retried_later_with_back_off(settings, django_capture_on_commit_callbacks):
    settings.TASKS = DB_TASKS
    email = queue()
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("refused")):
        with django_capture_on_commit_callbacks(execute=True):
            services.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.RETRYING
    assert email.attempts == 1 and "refused" in email.last_error
    from django_tasks_db.models import DBTaskResult

    retry = DBTaskResult.objects.get()
    assert retry.run_after is not None  # scheduled for later, not immediately


def test_after_the_last_attempt_the_email_is_marked_failed(settings):
    settings.EMAIL_MAX_ATTEMPTS = 2
    email = queue()
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("down")):
        services.email_send(email_id=email.pk)
        services.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED and email.attempts == 2


def test_a_sent_email_is_never_sent_twice():
    email = queue()
    services.email_send(email_id=email.pk)
    services.email_send(email_id=email.pk)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_sends_what_the_request_queued(settings):
    # Real commits: the worker is another "process" that only sees committed rows.
    settings.TASKS = DB_TASKS
    with transaction.atomic():
        email = queue()
    assert mail.outbox == []  # only enqueued: the request never sends
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay")
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT


def test_without_a_mail_server_the_outbox_backend_accepts_the_message(settings):
    settings.EMAIL_BACKEND = "registro.notifications.backends.OutboxOnlyBackend"
    email = queue()
    services.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT


def test_dev_outbox_lists_and_shows_each_email_with_clickable_links(client):
    email = queue(text_body="Abra http://testserver/cuentas/confirm-email/abc/ para seguir")
    listing = client.get("/dev/correos/").content.decode()
    assert "Asunto" in listing and "ana@entidad.gov.co" in listing
    detail = client.get(f"/dev/correos/{email.pk}/").content.decode()
    assert '<a href="http://testserver/cuentas/confirm-email/abc/"' in detail
    html = client.get(f"/dev/correos/{email.pk}/html/")
    assert html.content == b"<p>HTML</p>"
    assert "sandbox" in html["Content-Security-Policy"]


def test_dev_outbox_does_not_exist_when_disabled(client, settings):
    settings.DEV_OUTBOX = False
    email = queue()
    for url in ["/dev/correos/", f"/dev/correos/{email.pk}/", f"/dev/correos/{email.pk}/html/"]:
        assert client.get(url).status_code == 404
