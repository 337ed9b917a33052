"""What the desk's services share: locking a case, the addresses it writes to, queuing its e-mails."""

from django.conf import settings

from registro.entities.account.models import Entidad
from registro.entities.membership.models import Membresia
from registro.notifications.services import email_queue_template
from registro.servicedesk.models import (
    Caso,
)

C = Caso.Estado


MAX_TEXT = 5000


def _admin_emails(entidad: Entidad) -> list[str]:
    return list(
        Membresia.objects.filter(entidad=entidad, activa=True, rol=Membresia.Rol.ADMINISTRADOR).values_list(
            "usuario__email", flat=True
        )
    )


def _desk_emails(caso: Caso) -> list[str]:
    if caso.asignado_a_id and caso.asignado_a.email:
        return [caso.asignado_a.email]
    return [settings.SERVICE_DESK_EMAIL]


def _notify(*, to: list[str], template: str, caso: Caso, **extra) -> None:
    context = {"caso": caso, "site_url": settings.SITE_URL, **extra}
    recipients = sorted({address for address in to if address})
    if recipients:
        email_queue_template(to=recipients, template=f"servicedesk/email/{template}", context=context)


def _lock(caso: Caso) -> Caso:
    # of=("self",): the joins to nullable foreign keys are outer joins, which PostgreSQL cannot lock.
    return (
        Caso.objects.select_for_update(of=("self",))
        .select_related("entidad", "solicitante", "asignado_a")
        .get(pk=caso.pk)
    )


def _numbered(caso: Caso) -> Caso:
    """Gives a case just created its number, CASO-<year>-<id>."""
    caso.numero = f"CASO-{caso.created_at:%Y}-{caso.pk:06d}"
    caso.save(update_fields=["numero"])
    return caso
