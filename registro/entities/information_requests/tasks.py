"""The background work of information requests (django-tasks; the worker runs it)."""

from django_tasks import task

from registro.entities.information_requests import services


@task()
def run_envio(envio_id: int) -> dict:
    envio = services.envio_run(envio_id=envio_id)
    return {"estado": envio.estado, "invitados": envio.invitados, "omitidos": envio.omitidos}


@task()
def notify_invitados(solicitud_id: int, aviso: str) -> int:
    return services.invitados_notify(solicitud_id=solicitud_id, aviso=aviso)


@task()
def close_solicitud(solicitud_id: int) -> str:
    solicitud = services.solicitud_close(solicitud_id=solicitud_id)
    return solicitud.estado if solicitud else ""
