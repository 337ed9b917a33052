"""The roles an entity's administrators define from the permission catalogue (R7.1)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode
from registro.core.text import search_key
from registro.entities.account import workflow
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership import catalogue, permissions
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import SUPPLIER_USER, Membresia, RolEntidad, rol_label

# The built-in roles' names, as either kind of account shows them, are not available to roles.
BUILTIN_NAMES = {search_key(str(label)) for label in [*Membresia.Rol.labels, SUPPLIER_USER]}


def _invalid(fields: dict[str, str]) -> ApplicationError:
    return ApplicationError(
        ErrorCode.VALIDATION,
        " ".join(fields.values()),
        {"fields": {k: [v] for k, v in fields.items()}},
        status=400,
    )


def _clean(*, entidad: Entidad, nombre: str, descripcion: str, permisos) -> tuple[str, str, list[str]]:
    nombre = " ".join((nombre or "").split())
    descripcion = (descripcion or "").strip()
    permisos = list(permisos or [])
    errors = {}
    if not nombre:
        errors["nombre"] = _("Escriba el nombre del rol.")
    elif len(nombre) > 80:
        errors["nombre"] = _("El nombre del rol no puede tener más de 80 caracteres.")
    elif search_key(nombre) in BUILTIN_NAMES:
        errors["nombre"] = _("%(admin)s y %(otro)s son los roles propios de la plataforma: use otro nombre.") % {
            "admin": rol_label(Membresia.Rol.ADMINISTRADOR, entidad),
            "otro": rol_label(Membresia.Rol.COMPRADOR, entidad),
        }
    if len(descripcion) > 300:
        errors["descripcion"] = _("La descripción no puede tener más de 300 caracteres.")
    unknown = [p for p in permisos if p not in catalogue.ALL]
    aplica = catalogue.applicable(entidad)
    ajenos = [p for p in Permiso.values if p in permisos and p not in aplica]
    if unknown:
        errors["permisos"] = _("Permisos desconocidos: %(p)s.") % {"p": ", ".join(map(str, unknown))}
    elif ajenos:
        # Purchasing units are a State entity's; the commercial profile and library, a supplier's.
        errors["permisos"] = _("Estos permisos no aplican a una cuenta de tipo «%(tipo)s»: %(p)s.") % {
            "tipo": entidad.tipo_label,
            "p": ", ".join(f"«{Permiso(p).label}»" for p in ajenos),
        }
    elif not permisos:
        errors["permisos"] = _("Elija al menos un permiso.")
    if errors:
        raise _invalid(errors)
    # Stored in the catalogue's order, once each.
    return nombre, descripcion, [p for p in Permiso.values if p in permisos]


def _grantor(entidad: Entidad, actor, permisos: list[str]) -> None:
    held = permissions.standing(actor, entidad)
    if not held.can(Permiso.GESTIONAR_ROLES):
        raise ApplicationError(ErrorCode.PERMISSION_DENIED, _("Su rol no le permite gestionar roles."), status=403)
    if not held.may_grant(permisos=permisos):
        raise ApplicationError(
            ErrorCode.PERMISSION_DENIED, _("Un rol no puede dar permisos que usted no tiene."), status=403
        )


def _save(rol: RolEntidad) -> RolEntidad:
    try:
        with transaction.atomic():
            rol.save()
    except IntegrityError:
        raise ApplicationError(
            ErrorCode.CONFLICT,
            _("La Entidad ya tiene un rol con ese nombre."),
            {"fields": {"nombre": [_("La Entidad ya tiene un rol con ese nombre.")]}},
            status=409,
        ) from None
    return rol


@transaction.atomic
def rol_create(*, entidad: Entidad, actor, nombre: str, descripcion: str = "", permisos=()) -> RolEntidad:
    nombre, descripcion, permisos = _clean(entidad=entidad, nombre=nombre, descripcion=descripcion, permisos=permisos)
    _grantor(entidad, actor, permisos)
    rol = _save(RolEntidad(entidad=entidad, nombre=nombre, descripcion=descripcion, permisos=permisos))
    workflow.event_record(
        entidad=entidad, tipo=EventoEntidad.Tipo.ROL_CREADO, actor=actor, detalle={"rol": nombre, "permisos": permisos}
    )
    return rol


@transaction.atomic
def rol_update(*, rol: RolEntidad, actor, nombre: str, descripcion: str = "", permisos=()) -> RolEntidad:
    rol = RolEntidad.objects.select_for_update(of=("self",)).select_related("entidad").get(pk=rol.pk)
    nombre, descripcion, permisos = _clean(
        entidad=rol.entidad, nombre=nombre, descripcion=descripcion, permisos=permisos
    )
    # Both what the role gave and what it will give must be within the actor's own permissions
    # (a permission that does not apply to the account gave nothing, so anyone may drop it).
    dados = set(rol.permisos) & set(catalogue.applicable(rol.entidad))
    _grantor(rol.entidad, actor, sorted(set(permisos) | dados))
    anterior = {"nombre": rol.nombre, "permisos": list(rol.permisos)}
    rol.nombre, rol.descripcion, rol.permisos = nombre, descripcion, permisos
    _save(rol)
    workflow.event_record(
        entidad=rol.entidad,
        tipo=EventoEntidad.Tipo.ROL_EDITADO,
        actor=actor,
        detalle={"rol": nombre, "permisos": permisos, "antes": anterior},
    )
    return rol


@transaction.atomic
def rol_delete(*, rol: RolEntidad, actor) -> None:
    """Members who held the role simply lose it."""
    rol = RolEntidad.objects.select_for_update().get(pk=rol.pk)
    _grantor(rol.entidad, actor, [p for p in rol.permisos if p in catalogue.applicable(rol.entidad)])
    afectados = sorted(rol.membresias.values_list("usuario__username", flat=True))
    nombre, entidad = rol.nombre, rol.entidad
    rol.delete()
    workflow.event_record(
        entidad=entidad,
        tipo=EventoEntidad.Tipo.ROL_ELIMINADO,
        actor=actor,
        detalle={"rol": nombre, "usuarios": afectados},
    )
