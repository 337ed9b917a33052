from datetime import timedelta

from django.conf import settings
from django_tasks import task

from . import services


@task()
def send_email(email_id: int) -> str:
    return services.email_send(email_id=email_id).status


@task()
def send_email_batch(email_ids: list[int]) -> dict[str, int]:
    return services.email_send_batch(email_ids=email_ids)


@task()
def email_sweep() -> int:
    """Enqueued by `manage.py run_scheduler`: no e-mail stays behind when its task is lost."""
    return services.email_requeue_overdue(overdue=timedelta(seconds=settings.EMAIL_SWEEP_AFTER_SECONDS))
