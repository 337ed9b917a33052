"""The entity's users (R1.1, R7.1): built-in role, further roles, suspension, removal and leaving.

No change may leave an entity without an active Administrador: every change locks the entity's row
first, so two administrators demoting each other at the same moment cannot both succeed. Nobody
hands out more than they hold (`permissions.Standing.may_grant`): only an Administrador touches another
Administrador or grants that role."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode
from registro.entities.account import workflow
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership import permissions
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia, RolEntidad, rol_choices
from registro.notifications.services import email_queue_template

Rol = Membresia.Rol


class LastAdministrator(ApplicationError):
    def __init__(self):
        super().__init__(
            ErrorCode.CONFLICT,
            _(
                "La Entidad debe tener siempre al menos un Usuario Administrador activo: nombre otro "
                "administrador antes de hacer este cambio."
            ),
            {"rule": "R1.1"},
            status=409,
        )


def _denied(message: str | None = None) -> ApplicationError:
    return ApplicationError(
        ErrorCode.PERMISSION_DENIED,
        message or _("Su rol no le permite hacer este cambio."),
        status=403,
    )


def _locked(
    membresia: Membresia, actor, *, self_service: bool = False
) -> tuple[Entidad, Membresia, permissions.Standing]:
    entidad = Entidad.objects.select_for_update().get(pk=membresia.entidad_id)
    try:
        membresia = Membresia.objects.select_for_update().select_related("usuario").get(pk=membresia.pk)
    except Membresia.DoesNotExist:
        raise ApplicationError(ErrorCode.NOT_FOUND, _("No existe ese usuario en la Entidad."), status=404) from None
    who = permissions.standing(actor, entidad)
    if self_service:
        return entidad, membresia, who
    if not who.can(Permiso.GESTIONAR_MIEMBROS):
        raise _denied()
    if membresia.rol == Rol.ADMINISTRADOR and not who.is_admin:
        raise _denied(_("Solo un Usuario Administrador puede cambiar a otro Usuario Administrador."))
    return entidad, membresia, who


def _admins_after(entidad: Entidad, membresia: Membresia, *, rol: str, activa: bool, exists: bool = True) -> int:
    others = Membresia.objects.administradores(entidad).exclude(pk=membresia.pk)
    return others.count() + (1 if exists and activa and rol == Rol.ADMINISTRADOR else 0)


def _tell(usuario, entidad: Entidad, actor, cambio: str) -> None:
    """E-mails the member about a change someone else made to their access."""
    if usuario.pk == getattr(actor, "pk", None) or not usuario.email:
        return
    email_queue_template(
        to=[usuario.email],
        template="entities/email/membresia_cambio",
        context={"entidad": entidad, "actor": actor, "cambio": cambio, "site_url": settings.SITE_URL},
    )


CAMBIOS = {
    EventoEntidad.Tipo.MIEMBRO_SUSPENDIDO: lambda m: _("Su acceso fue suspendido."),
    EventoEntidad.Tipo.MIEMBRO_REACTIVADO: lambda m: _("Su acceso fue reactivado."),
    EventoEntidad.Tipo.ROL_CAMBIADO: lambda m: _("Ahora es %(rol)s.") % {"rol": m.rol_titulo},
}


def _apply(membresia: Membresia, entidad: Entidad, *, actor, rol: str, activa: bool, tipo: str) -> Membresia:
    if _admins_after(entidad, membresia, rol=rol, activa=activa) == 0:
        raise LastAdministrator()
    anterior = membresia.rol
    membresia.rol, membresia.activa = rol, activa
    membresia.save(update_fields=["rol", "activa"])
    detalle = {"usuario": membresia.usuario.username, "rol": rol}
    if anterior != rol:
        detalle["rol_anterior"] = anterior
    workflow.event_record(entidad=entidad, tipo=tipo, actor=actor, detalle=detalle)
    _tell(membresia.usuario, entidad, actor, CAMBIOS[tipo](membresia))
    return membresia


def membresia_place(*, entidad: Entidad, usuario, rol: str) -> tuple[Membresia, dict | None]:
    """Gives `usuario` the built-in `rol` in the entity, active: a new membership, or theirs
    reinstated. Returns it with what it was before (None when new). Runs in the caller's
    transaction, after its lock on the entity's row (ADR 0011)."""
    membresia = Membresia.objects.select_for_update().filter(usuario=usuario, entidad=entidad).first()
    if membresia is None:
        return Membresia.objects.create(usuario=usuario, entidad=entidad, rol=rol, activa=True), None
    anterior = {"rol": membresia.rol, "activa": membresia.activa}
    membresia.rol, membresia.activa = rol, True
    membresia.save(update_fields=["rol", "activa"])
    return membresia, anterior


def administrador_designate(*, entidad: Entidad, usuario) -> tuple[Membresia, dict | None]:
    """The Mesa de Servicio's "Designar administrador" (an entity left without one): `usuario`
    becomes an active Administrador, keeping any roles they hold. Refused if they already are."""
    actual = Membresia.objects.filter(usuario=usuario, entidad=entidad, rol=Rol.ADMINISTRADOR, activa=True)
    if actual.exists():
        message = _("%(username)s ya es Usuario Administrador activo de la Entidad.") % {"username": usuario.username}
        raise ApplicationError(ErrorCode.VALIDATION, message, {"fields": {"usuario": [message]}}, status=409)
    return membresia_place(entidad=entidad, usuario=usuario, rol=Rol.ADMINISTRADOR)


def entity_roles(entidad: Entidad, ids) -> list[RolEntidad]:
    """The entity's own roles with these ids; an id of another entity's role is an error."""
    try:
        wanted = {int(i) for i in ids or ()}
    except (TypeError, ValueError):
        wanted = None
    found = list(RolEntidad.objects.filter(entidad=entidad, pk__in=wanted or ())) if wanted is not None else []
    if wanted is None or len(found) != len(wanted):
        message = _("Elija roles de la lista de roles de la Entidad.")
        raise ApplicationError(ErrorCode.VALIDATION, message, {"fields": {"roles": [message]}}, status=400)
    return found


def _check_role(rol: str, entidad: Entidad) -> None:
    if rol not in Rol.values:
        message = _("Elija un rol válido: %(roles)s.") % {
            "roles": " o ".join(label for _value, label in rol_choices(entidad))
        }
        raise ApplicationError(ErrorCode.VALIDATION, message, {"fields": {"rol": [message]}}, status=400)


@transaction.atomic
def membresia_update(*, membresia: Membresia, actor, rol: str | None = None, roles=None) -> Membresia:
    """Sets the member's built-in role and/or the entity's roles they hold (`roles`: ids)."""
    if rol is not None:
        _check_role(rol, membresia.entidad)
    entidad, membresia, who = _locked(membresia, actor)
    nuevos = entity_roles(entidad, roles) if roles is not None else None
    if rol is not None and rol != membresia.rol:
        if not who.may_grant(rol=rol):
            raise _denied(_("Solo un Usuario Administrador puede nombrar otro Usuario Administrador."))
        _apply(membresia, entidad, actor=actor, rol=rol, activa=membresia.activa, tipo=EventoEntidad.Tipo.ROL_CAMBIADO)
    if nuevos is not None:
        actuales = set(membresia.roles.all())
        cambiados = actuales.symmetric_difference(nuevos)
        tocados = {p for r in cambiados for p in r.permisos}
        if not who.may_grant(permisos=tocados):
            raise _denied(_("No puede dar ni quitar roles con permisos que usted no tiene."))
        if cambiados:
            membresia.roles.set(nuevos)
            workflow.event_record(
                entidad=entidad,
                tipo=EventoEntidad.Tipo.ROLES_ASIGNADOS,
                actor=actor,
                detalle={"usuario": membresia.usuario.username, "roles": sorted(r.nombre for r in nuevos)},
            )
            nombres = ", ".join(sorted(r.nombre for r in nuevos))
            _tell(
                membresia.usuario,
                entidad,
                actor,
                _("Sus roles adicionales ahora son: %(roles)s.") % {"roles": nombres}
                if nombres
                else _("Ya no tiene roles adicionales."),
            )
    return membresia


def membresia_set_role(*, membresia: Membresia, rol: str, actor) -> Membresia:
    return membresia_update(membresia=membresia, rol=rol, actor=actor)


@transaction.atomic
def membresia_suspend(*, membresia: Membresia, actor) -> Membresia:
    entidad, membresia, _who = _locked(membresia, actor)
    return _apply(
        membresia, entidad, actor=actor, rol=membresia.rol, activa=False, tipo=EventoEntidad.Tipo.MIEMBRO_SUSPENDIDO
    )


@transaction.atomic
def membresia_reactivate(*, membresia: Membresia, actor) -> Membresia:
    entidad, membresia, _who = _locked(membresia, actor)
    return _apply(
        membresia, entidad, actor=actor, rol=membresia.rol, activa=True, tipo=EventoEntidad.Tipo.MIEMBRO_REACTIVADO
    )


@transaction.atomic
def membresia_remove(*, membresia: Membresia, actor) -> None:
    """Removes a user from the entity; `actor` may be the user themselves (leaving)."""
    self_service = membresia.usuario_id == actor.pk
    entidad, membresia, _who = _locked(membresia, actor, self_service=self_service)
    if _admins_after(entidad, membresia, rol=membresia.rol, activa=membresia.activa, exists=False) == 0:
        raise LastAdministrator()
    usuario = membresia.usuario
    membresia.delete()
    workflow.event_record(
        entidad=entidad, tipo=EventoEntidad.Tipo.MIEMBRO_RETIRADO, actor=actor, detalle={"usuario": usuario.username}
    )
    _tell(usuario, entidad, actor, _("Fue retirado de la Entidad."))
