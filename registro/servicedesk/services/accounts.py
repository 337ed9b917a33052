"""The desk suspends an active account and reactivates a suspended one, of either kind, always with
a reason (ADR 0013). The account's row is locked, the state checked under the lock and changed
through the account's transition table (`entidad_transition`, which writes the event with who and
why); the notification address and the Administradores are e-mailed after commit. Two desk members
acting at once: the second waits for the lock, then reads the new state and is refused (409)."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode, refusal
from registro.entities.account import workflow as entity_workflow
from registro.entities.account.models import Entidad
from registro.notifications.services import email_queue_template
from registro.servicedesk.services._common import MAX_TEXT, _admin_emails

E = Entidad.Estado


def _motivo(motivo: str, required: str) -> str:
    motivo = (motivo or "").strip()
    if not motivo:
        raise refusal(required, "motivo")
    if len(motivo) > MAX_TEXT:
        raise refusal(_("El motivo no puede tener más de %(n)s caracteres.") % {"n": MAX_TEXT}, "motivo")
    return motivo


def _lock(entidad: Entidad) -> Entidad:
    return Entidad.objects.select_for_update().get(pk=entidad.pk)


def _wrong_state(entidad: Entidad, message: str) -> ApplicationError:
    return ApplicationError(
        ErrorCode.INVALID_TRANSITION,
        message,
        {"estado": entidad.estado, "permitidos": entity_workflow.MACHINE.allowed(entidad.estado)},
        status=409,
    )


def _notify(entidad: Entidad, *, template: str, motivo: str) -> None:
    recipients = sorted({a for a in [entidad.correo_notificaciones, *_admin_emails(entidad)] if a})
    if recipients:
        email_queue_template(
            to=recipients,
            template=f"servicedesk/email/{template}",
            context={"entidad": entidad, "motivo": motivo, "site_url": settings.SITE_URL},
        )


def cuenta_suspend(*, entidad: Entidad, staff, motivo: str) -> Entidad:
    """ "Suspender cuenta": an active account; its users can no longer act for it."""
    motivo = _motivo(motivo, _("Escriba el motivo de la suspensión."))
    with transaction.atomic():
        locked = _lock(entidad)
        if locked.estado == E.SUSPENDIDA:
            raise _wrong_state(locked, _("La cuenta de %(nombre)s ya está suspendida.") % {"nombre": locked.nombre})
        if locked.estado != E.ACTIVA:
            raise _wrong_state(
                locked,
                _("Solo se suspende una cuenta activa: la de %(nombre)s está «%(estado)s».")
                % {"nombre": locked.nombre, "estado": locked.get_estado_display()},
            )
        entidad = entity_workflow.entidad_transition(entidad=locked, to=E.SUSPENDIDA, actor=staff, motivo=motivo)
        _notify(entidad, template="cuenta_suspendida", motivo=motivo)
    return entidad


def cuenta_reactivate(*, entidad: Entidad, staff, motivo: str) -> Entidad:
    """ "Reactivar cuenta": a suspended account becomes active again."""
    motivo = _motivo(motivo, _("Escriba el motivo de la reactivación."))
    with transaction.atomic():
        locked = _lock(entidad)
        if locked.estado != E.SUSPENDIDA:
            raise _wrong_state(
                locked,
                _("Solo se reactiva una cuenta suspendida: la de %(nombre)s está «%(estado)s».")
                % {"nombre": locked.nombre, "estado": locked.get_estado_display()},
            )
        entidad = entity_workflow.entidad_transition(entidad=locked, to=E.ACTIVA, actor=staff, motivo=motivo)
        _notify(entidad, template="cuenta_reactivada", motivo=motivo)
    return entidad
