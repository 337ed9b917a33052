from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from .models import OutboundEmail


def email_queue(
    *,
    to: list[str],
    subject: str,
    text_body: str,
    html_body: str = "",
    template: str = "",
    from_email: str = "",
    headers: dict | None = None,
) -> OutboundEmail:
    """Stores the message and has the worker send it once the current transaction commits."""
    email = OutboundEmail.objects.create(
        template=template,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        headers=headers or {},
    )
    transaction.on_commit(lambda: _enqueue(email.pk))
    return email


def email_queue_message(*, message: EmailMessage, template: str = "") -> OutboundEmail:
    html = ""
    text = message.body
    if isinstance(message, EmailMultiAlternatives):
        html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
    elif getattr(message, "content_subtype", "") == "html":
        html, text = message.body, ""
    return email_queue(
        to=message.to,
        subject=message.subject,
        text_body=text,
        html_body=html,
        template=template,
        from_email=message.from_email,
        headers=dict(message.extra_headers or {}),
    )


def _render(template: str, context: dict) -> tuple[str, str, str]:
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}_message.txt", context).strip()
    html = render_to_string(f"{template}_message.html", context).strip()
    return settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, text, html


def email_queue_template(*, to: list[str], template: str, context: dict) -> OutboundEmail:
    """Renders `<template>_subject.txt`, `_message.txt` and `_message.html` and queues them."""
    subject, text, html = _render(template, context)
    return email_queue(to=to, subject=subject, text_body=text, html_body=html, template=template)


def email_queue_template_many(*, recipients, template: str, context: dict) -> int:
    """One message, rendered once, for each address in `recipients` (one e-mail each): stored in one
    INSERT and sent after commit by one task per `EMAIL_BATCH_SIZE` messages. For notices to many
    accounts (the invitees of a request), where the text is the same for all. Returns how many."""
    addresses = [address for address in recipients if address]
    if not addresses:
        return 0
    subject, text, html = _render(template, context)
    from_email = settings.DEFAULT_FROM_EMAIL
    if connection.vendor == "postgresql":
        ids = _insert_many_postgresql(addresses, template, from_email, subject, text, html)
    else:
        rows = OutboundEmail.objects.bulk_create(
            OutboundEmail(
                template=template, from_email=from_email, to=[address], subject=subject, text_body=text, html_body=html
            )
            for address in addresses
        )
        ids = [row.pk for row in rows]
    size = max(1, settings.EMAIL_BATCH_SIZE)
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        transaction.on_commit(lambda chunk=chunk: _enqueue_batch(chunk))
    return len(ids)


def _insert_many_postgresql(addresses, template, from_email, subject, text, html) -> list[int]:
    """One INSERT … SELECT over the addresses: the bodies travel once, not once per row."""
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO notifications_outboundemail
                    (template, from_email, "to", subject, text_body, html_body, headers, status, attempts,
                     last_error, created_at)
                SELECT %s, %s, jsonb_build_array(address), %s, %s, %s, '{}'::jsonb, %s, 0, '', %s
                FROM unnest(%s::text[]) WITH ORDINALITY AS a(address, n) ORDER BY n
                RETURNING id""",
            [template, from_email, subject, text, html, OutboundEmail.Status.QUEUED, timezone.now(), list(addresses)],
        )
        return [row[0] for row in cursor.fetchall()]


def _enqueue_batch(email_ids: list[int]) -> None:
    from .tasks import send_email_batch

    send_email_batch.enqueue(email_ids)


def email_send_batch(*, email_ids: list[int]) -> dict[str, int]:
    """Sends queued messages over one connection; each one keeps its own retries (`email_send`)."""
    counts: dict[str, int] = {}
    connection = get_connection(fail_silently=False)
    try:
        for email_id in email_ids:
            status = email_send(email_id=email_id, connection=connection).status
            counts[status] = counts.get(status, 0) + 1
    finally:
        connection.close()
    return counts


def _enqueue(email_id: int, run_after=None) -> None:
    from .tasks import send_email

    task = send_email
    if run_after is not None and send_email.get_backend().supports_defer:
        task = send_email.using(run_after=run_after)
    task.enqueue(email_id)


def email_send(*, email_id: int, connection=None) -> OutboundEmail:
    """Sends one queued message. On failure it schedules a retry with exponential back-off, up to
    EMAIL_MAX_ATTEMPTS, then marks it failed."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().get(pk=email_id)
        if email.status in (OutboundEmail.Status.SENT, OutboundEmail.Status.FAILED):
            return email
        email.attempts += 1
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.text_body,
            from_email=email.from_email,
            to=email.to,
            headers=email.headers or None,
        )
        if email.html_body:
            message.attach_alternative(email.html_body, "text/html")
        try:
            (connection or get_connection(fail_silently=False)).send_messages([message])
        except Exception as exc:  # any transport error: keep it and retry later
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
                email.status = OutboundEmail.Status.FAILED
            else:
                email.status = OutboundEmail.Status.RETRYING
                delay = settings.EMAIL_RETRY_BASE_SECONDS * (2 ** (email.attempts - 1))
                run_after = timezone.now() + timedelta(seconds=delay)
                email.next_attempt_at = run_after
                transaction.on_commit(lambda: _enqueue(email.pk, run_after=run_after))
        else:
            email.status = OutboundEmail.Status.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
        email.save(update_fields=["status", "attempts", "last_error", "sent_at", "next_attempt_at"])
        return email


def email_requeue_overdue(*, overdue: timedelta) -> int:
    """Enqueues again the queued or retrying messages whose send is more than `overdue` late: their
    task was lost (a worker killed in the middle of a send rolls its transaction back and leaves the
    row queued; a flushed Redis loses the queue). A message whose first task is merely slow is sent
    once all the same: `email_send` skips sent rows under the row's lock. Each row is re-enqueued at
    most once per `overdue`. Returns how many."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.filter(status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.RETRYING])
            .alias(due=Coalesce("next_attempt_at", "created_at"))
            .filter(due__lte=now - overdue)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        OutboundEmail.objects.filter(pk__in=ids).update(next_attempt_at=now)
        size = max(1, settings.EMAIL_BATCH_SIZE)
        for start in range(0, len(ids), size):
            chunk = ids[start : start + size]
            transaction.on_commit(lambda chunk=chunk: _enqueue_batch(chunk))
    return len(ids)
