"""E-mails sent and failed, read from the outbox at scrape time: the task worker sends them, in
its own process and possibly on another server, and the outbox is the record of what happened.
Rows are never deleted, so the sent and failed counts only grow (Prometheus counters)."""

from django.db.models import Count
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .models import OutboundEmail


class EmailCollector:
    def collect(self):
        counts = dict(OutboundEmail.objects.order_by().values_list("status").annotate(n=Count("id")))
        sent = CounterMetricFamily("registro_emails_sent", "E-mails the mail server accepted.")
        sent.add_metric([], counts.get(OutboundEmail.Status.SENT, 0))
        failed = CounterMetricFamily("registro_emails_failed", "E-mails given up after EMAIL_MAX_ATTEMPTS.")
        failed.add_metric([], counts.get(OutboundEmail.Status.FAILED, 0))
        waiting = GaugeMetricFamily("registro_emails_waiting", "E-mails not sent yet, by status.", labels=["status"])
        for status in (OutboundEmail.Status.QUEUED, OutboundEmail.Status.RETRYING):
            waiting.add_metric([status], counts.get(status, 0))
        yield from (sent, failed, waiting)
