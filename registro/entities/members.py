"""The entity's users (R1.1, R7.1): roles, suspension, removal and leaving. No change may leave an
entity without an active Administrador; every change locks the entity's row first, so two
administrators demoting each other at the same moment cannot both succeed."""

from django.db import transaction
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode

from . import permissions, workflow
from .models import Entidad, EventoEntidad, Membresia

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


def _locked(membresia: Membresia, actor, *, self_service: bool = False) -> tuple[Entidad, Membresia]:
    entidad = Entidad.objects.select_for_update().get(pk=membresia.entidad_id)
    membresia = Membresia.objects.select_for_update().select_related("usuario").get(pk=membresia.pk)
    if not self_service and not permissions.is_entity_admin(actor, entidad):
        raise ApplicationError(ErrorCode.NOT_FOUND, _("No existe ese usuario en la Entidad."), status=404)
    return entidad, membresia


def _admins_after(entidad: Entidad, membresia: Membresia, *, rol: str, activa: bool, exists: bool = True) -> int:
    others = Membresia.objects.filter(entidad=entidad, activa=True, rol=Rol.ADMINISTRADOR).exclude(pk=membresia.pk)
    return others.count() + (1 if exists and activa and rol == Rol.ADMINISTRADOR else 0)


def _apply(membresia: Membresia, entidad: Entidad, *, actor, rol: str, activa: bool, tipo: str) -> Membresia:
    if _admins_after(entidad, membresia, rol=rol, activa=activa) == 0:
        raise LastAdministrator()
    membresia.rol, membresia.activa = rol, activa
    membresia.save(update_fields=["rol", "activa"])
    workflow.event_record(
        entidad=entidad, tipo=tipo, actor=actor, detalle={"usuario": membresia.usuario.username, "rol": rol}
    )
    return membresia


@transaction.atomic
def membresia_set_role(*, membresia: Membresia, rol: str, actor) -> Membresia:
    if rol not in Rol.values:
        raise ApplicationError(ErrorCode.VALIDATION, _("Elija un rol válido."), status=400)
    entidad, membresia = _locked(membresia, actor)
    return _apply(
        membresia, entidad, actor=actor, rol=rol, activa=membresia.activa, tipo=EventoEntidad.Tipo.ROL_CAMBIADO
    )


@transaction.atomic
def membresia_suspend(*, membresia: Membresia, actor) -> Membresia:
    entidad, membresia = _locked(membresia, actor)
    return _apply(
        membresia, entidad, actor=actor, rol=membresia.rol, activa=False, tipo=EventoEntidad.Tipo.MIEMBRO_SUSPENDIDO
    )


@transaction.atomic
def membresia_reactivate(*, membresia: Membresia, actor) -> Membresia:
    entidad, membresia = _locked(membresia, actor)
    return _apply(
        membresia, entidad, actor=actor, rol=membresia.rol, activa=True, tipo=EventoEntidad.Tipo.MIEMBRO_REACTIVADO
    )


@transaction.atomic
def membresia_remove(*, membresia: Membresia, actor) -> None:
    """Removes a user from the entity; `actor` may be the user themselves (leaving)."""
    self_service = membresia.usuario_id == actor.pk
    entidad, membresia = _locked(membresia, actor, self_service=self_service)
    if _admins_after(entidad, membresia, rol=membresia.rol, activa=membresia.activa, exists=False) == 0:
        raise LastAdministrator()
    username = membresia.usuario.username
    membresia.delete()
    workflow.event_record(
        entidad=entidad, tipo=EventoEntidad.Tipo.MIEMBRO_RETIRADO, actor=actor, detalle={"usuario": username}
    )
