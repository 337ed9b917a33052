from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """One e-mail to send. Written in the same transaction as the event that causes it; the worker
    sends it after commit and retries with back-off. Without a mail server it is the dev outbox."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En cola")
        SENT = "sent", _("Enviado")
        RETRYING = "retrying", _("Reintentando")
        FAILED = "failed", _("Fallido")

    template = models.CharField(max_length=200, blank=True)
    from_email = models.CharField(max_length=254)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=998)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When its task should next run: the retry's back-off, or the sweep's re-enqueue. Empty for a
    # message never attempted (due when created). The sweep finds the overdue ones by it.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("correo saliente")
        verbose_name_plural = _("correos salientes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="outboundemail_status_created")]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"
