"""Invitations to join an entity, sent by e-mail (R7.1). The link carries a random token (only its
SHA-256 is stored); it expires after INVITATION_EXPIRY_DAYS, and re-sending issues a new one.
Accepting needs an account whose confirmed e-mail is the one invited: the invitee registers or logs
in, and then accepts from the link or from "Mis registros"."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registro.core.errors import ErrorCode, refusal
from registro.core.transitions import StateMachine, Transition
from registro.entities.account import workflow
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership import access, permissions
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Invitacion, Membresia
from registro.notifications.services import email_queue_template

MAX_MENSAJE = 1000
Estado = Invitacion.Estado


def _record(invitacion: Invitacion, *, event: str, anterior: str, nuevo: str, actor, motivo="", detalle=None):
    # The entity's history: its own states are the entity's, so the invitation's are not written there.
    return workflow.event_record(entidad=invitacion.entidad, tipo=event, actor=actor, motivo=motivo, detalle=detalle)


def _message(invitacion: Invitacion, to: str | None) -> str:
    return _("Esta invitación ya fue %(estado)s.") % {"estado": invitacion.get_estado_display().lower()}


# Re-sending keeps it pending (a new token and expiry), so it is no transition.
MACHINE = StateMachine(
    {
        (Estado.PENDIENTE, Estado.ACEPTADA): Transition(EventoEntidad.Tipo.INVITACION_ACEPTADA, ("decidida_at",)),
        (Estado.PENDIENTE, Estado.CANCELADA): Transition(EventoEntidad.Tipo.INVITACION_CANCELADA, ("decidida_at",)),
    },
    record=_record,
    message=_message,
    code=ErrorCode.CONFLICT,
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(invitacion: Invitacion) -> str:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitacion.token_hash = _hash(token)
    invitacion.enviada_at = now
    invitacion.vence_at = now + timedelta(days=settings.INVITATION_EXPIRY_DAYS)
    return token


def _send(invitacion: Invitacion, token: str) -> None:
    email_queue_template(
        to=[invitacion.correo],
        template="entities/email/invitacion",
        context={
            "invitacion": invitacion,
            "entidad": invitacion.entidad,
            "invitada_por": invitacion.invitada_por,
            "url": settings.SITE_URL + reverse("console:invitacion", kwargs={"token": token}),
            "site_url": settings.SITE_URL,
            "dias": settings.INVITATION_EXPIRY_DAYS,
        },
    )


def _require_manager(entidad: Entidad, actor) -> None:
    if not permissions.user_can(actor, entidad, Permiso.GESTIONAR_MIEMBROS):
        raise refusal(_("Su rol no le permite invitar usuarios."), status=403, code=ErrorCode.PERMISSION_DENIED)


def _require_grantor(invitacion: Invitacion, actor) -> None:
    """Re-sending makes the offer anew and cancelling withdraws it: both only by someone who could
    have sent it (only an Administrador touches an invitation as Administrador)."""
    _require_manager(invitacion.entidad, actor)
    access.grant_check(
        entidad=invitacion.entidad, rol=invitacion.rol, roles=[r.pk for r in invitacion.roles.all()], actor=actor
    )


def invitacion_create(
    *, entidad: Entidad, actor, correo: str, rol: str = Membresia.Rol.COMPRADOR, roles=(), mensaje: str = ""
) -> Invitacion:
    correo = (correo or "").strip()
    mensaje = (mensaje or "").strip()
    try:
        validate_email(correo)
    except ValidationError:
        raise refusal(_("Escriba un correo electrónico válido."), "correo") from None
    if rol not in Membresia.Rol.values:
        raise refusal(_("Elija un rol válido."), "rol")
    if len(mensaje) > MAX_MENSAJE:
        raise refusal(_("El mensaje no puede tener más de %(n)s caracteres.") % {"n": MAX_MENSAJE}, "mensaje")
    if entidad.estado == Entidad.Estado.SUSPENDIDA:
        raise refusal(_("La cuenta está suspendida por la Mesa de Servicio: no puede invitar usuarios."), status=409)
    if entidad.estado != Entidad.Estado.ACTIVA:
        raise refusal(_("La Entidad aún no está activa."), status=409)
    _require_manager(entidad, actor)
    if Membresia.objects.filter(entidad=entidad, usuario__email__iexact=correo).exists():
        raise refusal(_("Ese correo ya es de un usuario de la Entidad."), "correo", status=409)
    try:
        with transaction.atomic():
            Entidad.objects.select_for_update().get(pk=entidad.pk)  # before its invitations (ADR 0011)
            # An expired invitation no longer blocks a new one to the same address.
            vencidas = Invitacion.objects.select_for_update().filter(
                entidad=entidad, correo__iexact=correo, estado=Estado.PENDIENTE, vence_at__lte=timezone.now()
            )
            for vencida in vencidas:
                MACHINE.apply(
                    vencida,
                    Estado.CANCELADA,
                    actor=actor,
                    motivo=_("Venció sin ser aceptada; se envía una nueva."),
                    detalle={"correo": vencida.correo},
                )
            invitacion = Invitacion(entidad=entidad, correo=correo, rol=rol, mensaje=mensaje, invitada_por=actor)
            token = _issue(invitacion)
            invitacion.save()
            # Checks that the actor may grant these roles, as accepting will.
            roles = access.grant_check(entidad=entidad, rol=rol, roles=roles, actor=actor)
            invitacion.roles.set(roles)
            workflow.event_record(
                entidad=entidad,
                tipo=EventoEntidad.Tipo.INVITACION_ENVIADA,
                actor=actor,
                detalle={"correo": correo, "rol": rol, "roles": [r.nombre for r in roles]},
            )
            _send(invitacion, token)
    except IntegrityError:
        raise refusal(_("Ya hay una invitación pendiente para ese correo."), "correo", status=409) from None
    return invitacion


def _lock(invitacion: Invitacion) -> Invitacion:
    """The entity's row, then the invitation's (ADR 0011): accepting changes the entity's users."""
    Entidad.objects.select_for_update().get(pk=invitacion.entidad_id)
    locked = Invitacion.objects.select_for_update(of=("self",)).select_related("entidad").get(pk=invitacion.pk)
    MACHINE.require(locked, Estado.PENDIENTE)
    return locked


@transaction.atomic
def invitacion_resend(*, invitacion: Invitacion, actor) -> Invitacion:
    """A new link and a new expiry; the previous link stops working."""
    invitacion = _lock(invitacion)
    _require_grantor(invitacion, actor)
    token = _issue(invitacion)
    invitacion.envios += 1
    invitacion.save(update_fields=["token_hash", "enviada_at", "vence_at", "envios"])
    workflow.event_record(
        entidad=invitacion.entidad,
        tipo=EventoEntidad.Tipo.INVITACION_REENVIADA,
        actor=actor,
        detalle={"correo": invitacion.correo},
    )
    _send(invitacion, token)
    return invitacion


@transaction.atomic
def invitacion_cancel(*, invitacion: Invitacion, actor) -> Invitacion:
    invitacion = _lock(invitacion)
    _require_grantor(invitacion, actor)
    return MACHINE.apply(invitacion, Estado.CANCELADA, actor=actor, detalle={"correo": invitacion.correo})


def invitacion_by_token(token: str) -> Invitacion | None:
    if not token or len(token) > 100:
        return None
    return Invitacion.objects.select_related("entidad", "invitada_por").filter(token_hash=_hash(token)).first()


def is_for(invitacion: Invitacion, user) -> bool:
    return bool(user and user.is_authenticated and user.email and user.email.lower() == invitacion.correo.lower())


@transaction.atomic
def invitacion_accept(*, invitacion: Invitacion, user) -> Membresia:
    """The invitee joins with the roles invited; the entity becomes the one they act for."""
    invitacion = _lock(invitacion)
    if not is_for(invitacion, user):
        raise refusal(
            _("Esta invitación es para otro correo electrónico: entre con la cuenta de ese correo."),
            status=403,
            code=ErrorCode.PERMISSION_DENIED,
        )
    if invitacion.vencida:
        raise refusal(_("La invitación venció: pida a la Entidad que se la envíe de nuevo."), status=410)
    if invitacion.entidad.estado == Entidad.Estado.SUSPENDIDA:
        raise refusal(
            _("La cuenta está suspendida por la Mesa de Servicio: la invitación no se puede aceptar por ahora."),
            status=409,
        )
    if invitacion.entidad.estado != Entidad.Estado.ACTIVA:
        raise refusal(_("La Entidad ya no está activa."), status=409)
    if permissions.is_member(user, invitacion.entidad):
        raise refusal(_("Usted ya tiene acceso a esta Entidad."), status=409)
    membresia = access.grant_membership(
        entidad=invitacion.entidad,
        usuario=user,
        rol=invitacion.rol,
        roles=[r.pk for r in invitacion.roles.all()],
        actor=invitacion.invitada_por,
        checked=True,
    )
    membresia.seleccionada_at = timezone.now()
    membresia.save(update_fields=["seleccionada_at"])
    invitacion.aceptada_por = user
    MACHINE.apply(
        invitacion,
        Estado.ACEPTADA,
        fields=["aceptada_por"],
        actor=user,
        detalle={"usuario": user.username, "correo": invitacion.correo, "rol": invitacion.rol},
    )
    access.solicitudes_moot(usuario=user, entidad=invitacion.entidad)  # a request of theirs still waiting
    if invitacion.invitada_por is not None and invitacion.invitada_por.email:
        email_queue_template(
            to=[invitacion.invitada_por.email],
            template="entities/email/invitacion_aceptada",
            context={
                "invitacion": invitacion,
                "entidad": invitacion.entidad,
                "usuario": user,
                "site_url": settings.SITE_URL,
            },
        )
    return membresia


def invitaciones_del_usuario(user):
    """Pending invitations addressed to the user's e-mail, for "Mis registros"."""
    if not (user and user.is_authenticated and user.email):
        return Invitacion.objects.none()
    return Invitacion.objects.filter(
        correo__iexact=user.email, estado=Estado.PENDIENTE, vence_at__gt=timezone.now()
    ).select_related("entidad")
