from django_tasks import task

from . import services


@task()
def send_email(email_id: int) -> str:
    return services.email_send(email_id=email_id).status
