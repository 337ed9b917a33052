from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
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


def email_queue_template(*, to: list[str], template: str, context: dict) -> OutboundEmail:
    """Renders `<template>_subject.txt`, `_message.txt` and `_message.html` and queues them."""
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}_message.txt", context).strip()
    html = render_to_string(f"{template}_message.html", context).strip()
    return email_queue(
        to=to,
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        text_body=text,
        html_body=html,
        template=template,
    )


def _enqueue(email_id: int, run_after=None) -> None:
    from .tasks import send_email

    task = send_email
    if run_after is not None and send_email.get_backend().supports_defer:
        task = send_email.using(run_after=run_after)
    task.enqueue(email_id)


def email_send(*, email_id: int) -> OutboundEmail:
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
            get_connection(fail_silently=False).send_messages([message])
        except Exception as exc:  # any transport error: keep it and retry later
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
                email.status = OutboundEmail.Status.FAILED
            else:
                email.status = OutboundEmail.Status.RETRYING
                delay = settings.EMAIL_RETRY_BASE_SECONDS * (2 ** (email.attempts - 1))
                run_after = timezone.now() + timedelta(seconds=delay)
                transaction.on_commit(lambda: _enqueue(email.pk, run_after=run_after))
        else:
            email.status = OutboundEmail.Status.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
        email.save(update_fields=["status", "attempts", "last_error", "sent_at"])
        return email
