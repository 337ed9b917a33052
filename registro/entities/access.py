"""A buyer's access to an entity account (R5): request, cancel, approve with a role, reject with
a reason. One transaction each, with the entity's history and the e-mails after commit."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode
from registro.notifications.services import email_queue_template

from . import permissions, workflow
from .models import Entidad, EventoEntidad, Membresia, SolicitudAcceso

MAX_MENSAJE = 1000


def _error(message: str, status: int = 400, field: str | None = None) -> ApplicationError:
    return ApplicationError(
        ErrorCode.VALIDATION if status == 400 else ErrorCode.CONFLICT,
        message,
        {"fields": {field: [message]}} if field else {},
        status=status,
    )


def _admins(entidad: Entidad) -> list[str]:
    return list(
        Membresia.objects.filter(entidad=entidad, activa=True, rol=Membresia.Rol.ADMINISTRADOR).values_list(
            "usuario__email", flat=True
        )
    )


def _notify(*, to, template: str, solicitud: SolicitudAcceso) -> None:
    recipients = sorted({a for a in to if a})
    if recipients:
        email_queue_template(
            to=recipients,
            template=f"entities/email/{template}",
            context={"solicitud": solicitud, "entidad": solicitud.entidad, "site_url": settings.SITE_URL},
        )


def solicitud_create(*, user, entidad: Entidad, mensaje: str = "") -> SolicitudAcceso:
    """ "Solicitar" (R5.1): only active entities take requests (R3.9); one pending request per
    user and entity."""
    mensaje = (mensaje or "").strip()
    if len(mensaje) > MAX_MENSAJE:
        raise _error(_("El mensaje no puede tener más de %(n)s caracteres.") % {"n": MAX_MENSAJE}, field="mensaje")
    if entidad.estado != Entidad.Estado.ACTIVA:
        raise _error(_("La Entidad aún no está activa: no recibe solicitudes de acceso."), 409)
    if permissions.is_member(user, entidad):
        raise _error(_("Usted ya tiene acceso a esta Entidad."), 409)
    try:
        with transaction.atomic():
            solicitud = SolicitudAcceso.objects.create(usuario=user, entidad=entidad, mensaje=mensaje)
            workflow.event_record(
                entidad=entidad,
                tipo=EventoEntidad.Tipo.ACCESO_SOLICITADO,
                actor=user,
                detalle={"usuario": user.username},
            )
            _notify(to=_admins(entidad), template="acceso_solicitado", solicitud=solicitud)
    except IntegrityError:
        raise _error(_("Ya tiene una solicitud esperando aprobación para esta Entidad."), 409) from None
    return solicitud


def _lock_pending(solicitud: SolicitudAcceso) -> SolicitudAcceso:
    locked = (
        SolicitudAcceso.objects.select_for_update(of=("self",))
        .select_related("entidad", "usuario")
        .get(pk=solicitud.pk)
    )
    if locked.estado != SolicitudAcceso.Estado.PENDIENTE:
        raise _error(_("Esta solicitud ya fue %(estado)s.") % {"estado": locked.get_estado_display().lower()}, 409)
    return locked


@transaction.atomic
def solicitud_cancel(*, solicitud: SolicitudAcceso, user) -> SolicitudAcceso:
    solicitud = _lock_pending(solicitud)
    if solicitud.usuario_id != user.pk:
        raise _error(_("Solo quien la hizo puede cancelar la solicitud."), 403)
    solicitud.estado = SolicitudAcceso.Estado.CANCELADA
    solicitud.decided_at = timezone.now()
    solicitud.save(update_fields=["estado", "decided_at"])
    return solicitud


@transaction.atomic
def solicitud_approve(*, solicitud: SolicitudAcceso, admin, rol: str = Membresia.Rol.COMPRADOR) -> Membresia:
    """R5.2: the requester can act for the entity with the role chosen; they get an e-mail."""
    if rol not in Membresia.Rol.values:
        raise _error(_("Elija un rol válido."), field="rol")
    solicitud = _lock_pending(solicitud)
    if not permissions.is_entity_admin(admin, solicitud.entidad):
        raise _error(_("Solo un Usuario Administrador de la Entidad decide las solicitudes."), 403)
    membresia, created = Membresia.objects.get_or_create(
        usuario=solicitud.usuario, entidad=solicitud.entidad, defaults={"rol": rol}
    )
    if not created:
        membresia.rol, membresia.activa = rol, True
        membresia.save(update_fields=["rol", "activa"])
    solicitud.estado = SolicitudAcceso.Estado.APROBADA
    solicitud.decidida_por = admin
    solicitud.decided_at = timezone.now()
    solicitud.save(update_fields=["estado", "decidida_por", "decided_at"])
    workflow.event_record(
        entidad=solicitud.entidad,
        tipo=EventoEntidad.Tipo.ACCESO_APROBADO,
        actor=admin,
        detalle={"usuario": solicitud.usuario.username, "rol": rol},
    )
    _notify(to=[solicitud.usuario.email], template="acceso_aprobado", solicitud=solicitud)
    return membresia


@transaction.atomic
def solicitud_reject(*, solicitud: SolicitudAcceso, admin, motivo: str) -> SolicitudAcceso:
    motivo = (motivo or "").strip()
    if not motivo:
        raise _error(_("Escriba el motivo del rechazo."), field="motivo")
    solicitud = _lock_pending(solicitud)
    if not permissions.is_entity_admin(admin, solicitud.entidad):
        raise _error(_("Solo un Usuario Administrador de la Entidad decide las solicitudes."), 403)
    solicitud.estado = SolicitudAcceso.Estado.RECHAZADA
    solicitud.motivo = motivo[:MAX_MENSAJE]
    solicitud.decidida_por = admin
    solicitud.decided_at = timezone.now()
    solicitud.save(update_fields=["estado", "motivo", "decidida_por", "decided_at"])
    workflow.event_record(
        entidad=solicitud.entidad,
        tipo=EventoEntidad.Tipo.ACCESO_RECHAZADO,
        actor=admin,
        motivo=motivo,
        detalle={"usuario": solicitud.usuario.username},
    )
    _notify(to=[solicitud.usuario.email], template="acceso_rechazado", solicitud=solicitud)
    return solicitud
