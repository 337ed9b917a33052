"""Purchasing units ("unidades de contratación", R7.1): how the entity organises who carries out
its procurement processes. Only the entity's own members can be placed in its units."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode, refusal
from registro.entities.account import workflow
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.console.models import UnidadContratacion
from registro.entities.membership import permissions
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia


def require_state_entity(current):
    """Purchasing units are a State entity's way of organising its procurement (R7.1): an account
    that is not an Entidad Estatal has none. `current` is the acting membership (`acting.Acting`)
    or the account itself; refused with 403 and the reason."""
    entidad = getattr(current, "entidad", current)
    if not entidad.es_entidad_estatal:
        raise ApplicationError(
            ErrorCode.PERMISSION_DENIED,
            _(
                "Las unidades de contratación son de las Entidades Estatales: %(cuenta)s es una cuenta de "
                "Proveedor y no las tiene."
            )
            % {"cuenta": entidad.nombre},
            {"rule": "R7.1", "tipo_cuenta": entidad.tipo_cuenta},
            status=403,
        )
    return current


def _clean(nombre: str, descripcion: str) -> tuple[str, str]:
    nombre = " ".join((nombre or "").split())
    descripcion = (descripcion or "").strip()
    if not nombre:
        raise refusal(_("Escriba el nombre de la unidad."), "nombre")
    if len(nombre) > 120:
        raise refusal(_("El nombre de la unidad no puede tener más de 120 caracteres."), "nombre")
    if len(descripcion) > 1000:
        raise refusal(_("La descripción no puede tener más de 1000 caracteres."), "descripcion")
    return nombre, descripcion


def _members(entidad: Entidad, ids) -> list[Membresia]:
    try:
        wanted = {int(i) for i in ids or ()}
    except (TypeError, ValueError):
        raise refusal(_("Elija usuarios de la Entidad."), "miembros") from None
    found = list(Membresia.objects.filter(entidad=entidad, pk__in=wanted).select_related("usuario"))
    if len(found) != len(wanted):
        raise refusal(_("Elija usuarios de la Entidad."), "miembros")
    return found


def _require(entidad: Entidad, actor) -> None:
    require_state_entity(entidad)
    if not permissions.user_can(actor, entidad, Permiso.GESTIONAR_UNIDADES):
        raise ApplicationError(
            ErrorCode.PERMISSION_DENIED, _("Su rol no le permite gestionar unidades de contratación."), status=403
        )


def _save(unidad: UnidadContratacion) -> UnidadContratacion:
    try:
        with transaction.atomic():
            unidad.save()
    except IntegrityError:
        raise refusal(_("La Entidad ya tiene una unidad con ese nombre."), "nombre", status=409) from None
    return unidad


def _detail(unidad: UnidadContratacion, miembros: list[Membresia]) -> dict:
    return {"unidad": unidad.nombre, "usuarios": sorted(m.usuario.username for m in miembros)}


@transaction.atomic
def unidad_create(*, entidad: Entidad, actor, nombre: str, descripcion: str = "", miembros=()) -> UnidadContratacion:
    nombre, descripcion = _clean(nombre, descripcion)
    _require(entidad, actor)
    elegidos = _members(entidad, miembros)
    unidad = _save(UnidadContratacion(entidad=entidad, nombre=nombre, descripcion=descripcion))
    unidad.miembros.set(elegidos)
    workflow.event_record(
        entidad=entidad, tipo=EventoEntidad.Tipo.UNIDAD_CREADA, actor=actor, detalle=_detail(unidad, elegidos)
    )
    return unidad


@transaction.atomic
def unidad_update(
    *, unidad: UnidadContratacion, actor, nombre: str, descripcion: str = "", miembros=()
) -> UnidadContratacion:
    nombre, descripcion = _clean(nombre, descripcion)
    unidad = UnidadContratacion.objects.select_for_update().select_related("entidad").get(pk=unidad.pk)
    _require(unidad.entidad, actor)
    elegidos = _members(unidad.entidad, miembros)
    unidad.nombre, unidad.descripcion = nombre, descripcion
    _save(unidad)
    unidad.miembros.set(elegidos)
    workflow.event_record(
        entidad=unidad.entidad, tipo=EventoEntidad.Tipo.UNIDAD_EDITADA, actor=actor, detalle=_detail(unidad, elegidos)
    )
    return unidad


@transaction.atomic
def unidad_delete(*, unidad: UnidadContratacion, actor) -> None:
    unidad = UnidadContratacion.objects.select_for_update().select_related("entidad").get(pk=unidad.pk)
    _require(unidad.entidad, actor)
    entidad, nombre = unidad.entidad, unidad.nombre
    unidad.delete()
    workflow.event_record(
        entidad=entidad, tipo=EventoEntidad.Tipo.UNIDAD_ELIMINADA, actor=actor, detalle={"unidad": nombre}
    )
