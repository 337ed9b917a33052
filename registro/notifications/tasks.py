from django_tasks import task

from . import services


@task()
def send_email(email_id: int) -> str:
    return services.email_send(email_id=email_id).status


@task()
def send_email_batch(email_ids: list[int]) -> dict[str, int]:
    return services.email_send_batch(email_ids=email_ids)
