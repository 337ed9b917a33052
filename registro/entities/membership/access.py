"""A buyer's access to an entity account (R5): request, cancel, approve with a role, reject with
a reason. One transaction each, with the entity's history and the e-mails after commit."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from registro.core.errors import ErrorCode, refusal
from registro.core.transitions import StateMachine, Transition
from registro.entities.account import workflow
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership import members, permissions
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia, SolicitudAcceso
from registro.notifications.services import email_queue_template

MAX_MENSAJE = 1000
S = SolicitudAcceso.Estado
DECIDED = ("decided_at",)


def _record(solicitud: SolicitudAcceso, *, event: str, anterior: str, nuevo: str, actor, motivo="", detalle=None):
    # The entity's history: its own states are the entity's, so the request's are not written there.
    return workflow.event_record(entidad=solicitud.entidad, tipo=event, actor=actor, motivo=motivo, detalle=detalle)


def _message(solicitud: SolicitudAcceso, to: str | None) -> str:
    return _("Esta solicitud ya fue %(estado)s.") % {"estado": solicitud.get_estado_display().lower()}


MACHINE = StateMachine(
    {
        (S.PENDIENTE, S.APROBADA): Transition(EventoEntidad.Tipo.ACCESO_APROBADO, DECIDED),
        (S.PENDIENTE, S.RECHAZADA): Transition(EventoEntidad.Tipo.ACCESO_RECHAZADO, DECIDED),
        (S.PENDIENTE, S.CANCELADA): Transition(EventoEntidad.Tipo.SOLICITUD_CANCELADA, DECIDED),
    },
    record=_record,
    message=_message,
    code=ErrorCode.CONFLICT,
)


def _admins(entidad: Entidad) -> list[str]:
    """Who decides requests: the Administradores and the members whose roles allow it."""
    candidates = Membresia.objects.filter(entidad=entidad, activa=True).select_related("usuario", "entidad")
    return [
        m.usuario.email
        for m in candidates.prefetch_related("roles")
        if Permiso.APROBAR_SOLICITUDES in permissions.membresia_permisos(m)
    ]


def _require_decider(solicitud: SolicitudAcceso, user) -> None:
    if not permissions.user_can(user, solicitud.entidad, Permiso.APROBAR_SOLICITUDES):
        raise refusal(_("Su rol no le permite decidir las solicitudes de acceso de esta Entidad."), status=403)


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
        raise refusal(_("El mensaje no puede tener más de %(n)s caracteres.") % {"n": MAX_MENSAJE}, "mensaje")
    if entidad.estado == Entidad.Estado.SUSPENDIDA:
        raise refusal(
            _("La cuenta está suspendida por la Mesa de Servicio: no recibe solicitudes de acceso."), status=409
        )
    if entidad.estado != Entidad.Estado.ACTIVA:
        raise refusal(_("La Entidad aún no está activa: no recibe solicitudes de acceso."), status=409)
    existing = Membresia.objects.filter(usuario=user, entidad=entidad).first()
    if existing is not None and existing.activa:
        raise refusal(_("Usted ya tiene acceso a esta Entidad."), status=409)
    if existing is not None:
        # A new request must not undo a suspension: only the entity's users managers lift it.
        raise refusal(_("Su acceso a esta Entidad está suspendido: comuníquese con sus administradores."), status=409)
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
        raise refusal(_("Ya tiene una solicitud esperando aprobación para esta Entidad."), status=409) from None
    return solicitud


def _lock_pending(solicitud: SolicitudAcceso) -> SolicitudAcceso:
    """The entity's row, then the request's (ADR 0011): approving changes the entity's users."""
    Entidad.objects.select_for_update().get(pk=solicitud.entidad_id)
    locked = (
        SolicitudAcceso.objects.select_for_update(of=("self",))
        .select_related("entidad", "usuario")
        .get(pk=solicitud.pk)
    )
    MACHINE.require(locked, S.PENDIENTE)
    return locked


@transaction.atomic
def solicitud_cancel(*, solicitud: SolicitudAcceso, user) -> SolicitudAcceso:
    solicitud = _lock_pending(solicitud)
    if solicitud.usuario_id != user.pk:
        raise refusal(_("Solo quien la hizo puede cancelar la solicitud."), status=403)
    return MACHINE.apply(solicitud, S.CANCELADA, actor=user, detalle={"usuario": user.username})


def solicitudes_moot(*, usuario, entidad: Entidad) -> None:
    """The user's requests still waiting, moot once they joined otherwise (an invitation): cancelled,
    as if by them. In the caller's transaction, after its lock on the entity."""
    pendientes = SolicitudAcceso.objects.select_for_update().filter(
        usuario=usuario, entidad=entidad, estado=S.PENDIENTE
    )
    for solicitud in pendientes:
        MACHINE.apply(
            solicitud,
            S.CANCELADA,
            actor=usuario,
            motivo=_("Se unió a la Entidad por una invitación."),
            detalle={"usuario": usuario.username},
        )


@transaction.atomic
def solicitud_approve(*, solicitud: SolicitudAcceso, admin, rol: str = Membresia.Rol.COMPRADOR, roles=()) -> Membresia:
    """R5.2: the requester can act for the entity with the roles chosen; they get an e-mail."""
    if rol not in Membresia.Rol.values:
        raise refusal(_("Elija un rol válido."), "rol")
    solicitud = _lock_pending(solicitud)
    _require_decider(solicitud, admin)
    membresia = grant_membership(
        entidad=solicitud.entidad, usuario=solicitud.usuario, rol=rol, roles=roles, actor=admin
    )
    solicitud.decidida_por = admin
    MACHINE.apply(
        solicitud,
        S.APROBADA,
        fields=["decidida_por"],
        actor=admin,
        detalle={"usuario": solicitud.usuario.username, "rol": rol, "roles": [r.nombre for r in membresia.roles.all()]},
    )
    _notify(to=[solicitud.usuario.email], template="acceso_aprobado", solicitud=solicitud)
    return membresia


def grant_check(*, entidad: Entidad, rol: str, roles, actor) -> list:
    """The entity's roles with these ids, once it is clear `actor` may grant them and `rol`."""
    nuevos = members.entity_roles(entidad, roles)
    if not permissions.standing(actor, entidad).may_grant(rol=rol, permisos={p for r in nuevos for p in r.permisos}):
        raise refusal(_("No puede dar un rol o permisos que usted no tiene."), status=403)
    return nuevos


def grant_membership(*, entidad: Entidad, usuario, rol: str, roles, actor, checked: bool = False) -> Membresia:
    """Gives `usuario` a place in the entity (an approved request or an accepted invitation),
    within the caller's transaction. `actor` is who grants it, and may not grant more than they
    hold; `checked` says that was verified when an invitation was sent."""
    nuevos = (
        members.entity_roles(entidad, roles)
        if checked
        else grant_check(entidad=entidad, rol=rol, roles=roles, actor=actor)
    )
    membresia, _anterior = members.membresia_place(entidad=entidad, usuario=usuario, rol=rol)
    membresia.roles.set(nuevos)
    return membresia


@transaction.atomic
def solicitud_reject(*, solicitud: SolicitudAcceso, admin, motivo: str) -> SolicitudAcceso:
    motivo = (motivo or "").strip()
    if not motivo:
        raise refusal(_("Escriba el motivo del rechazo."), "motivo")
    solicitud = _lock_pending(solicitud)
    _require_decider(solicitud, admin)
    solicitud.motivo = motivo[:MAX_MENSAJE]
    solicitud.decidida_por = admin
    MACHINE.apply(
        solicitud,
        S.RECHAZADA,
        fields=["motivo", "decidida_por"],
        actor=admin,
        motivo=motivo,
        detalle={"usuario": solicitud.usuario.username},
    )
    _notify(to=[solicitud.usuario.email], template="acceso_rechazado", solicitud=solicitud)
    return solicitud
