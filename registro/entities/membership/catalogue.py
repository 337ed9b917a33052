"""The permission catalogue (R7.1): one list of what a role may allow inside an entity. Later
features add their permissions here; roles, checks, forms and the API all read this list."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Permiso(models.TextChoices):
    GESTIONAR_MIEMBROS = "gestionar_miembros", _("Gestionar los usuarios de la Entidad y sus invitaciones")
    APROBAR_SOLICITUDES = "aprobar_solicitudes", _("Aprobar o rechazar solicitudes de acceso")
    GESTIONAR_ROLES = "gestionar_roles", _("Gestionar roles y permisos")
    EDITAR_ENTIDAD = "editar_entidad", _("Editar los datos y documentos de la Entidad")
    GESTIONAR_UNIDADES = "gestionar_unidades", _("Gestionar las unidades de contratación")
    VER_AUDITORIA = "ver_auditoria", _("Ver el historial de la Entidad")
    ABRIR_CASOS = "abrir_casos", _("Abrir casos de soporte a nombre de la Entidad")
    # A State entity asks suppliers for information or quotes (guide §1).
    GESTIONAR_SOLICITUDES_INFORMACION = "gestionar_solicitudes_informacion", _("Gestionar solicitudes de información")
    # What an account that supplies needs (R9): its commercial profile, its library, its answers.
    EDITAR_PERFIL_COMERCIAL = "editar_perfil_comercial", _("Editar el perfil comercial y las áreas de interés")
    GESTIONAR_BIBLIOTECA = "gestionar_biblioteca", _("Gestionar la biblioteca de documentos")
    RESPONDER_INVITACIONES = "responder_invitaciones", _("Responder invitaciones a solicitudes de información")


ALL = frozenset(Permiso.values)


# The built-in roles (R1.1): an Administrador may do everything in the catalogue; a Comprador
# only what the custom roles given to them allow.
BUILTIN = {"administrador": ALL, "comprador": frozenset()}


# Permissions that only make sense for one side: purchasing units and information requests are
# State-entity features; the commercial profile, the library and answering invitations belong to
# accounts that supply.
ENTITY_ONLY = frozenset({Permiso.GESTIONAR_UNIDADES, Permiso.GESTIONAR_SOLICITUDES_INFORMACION})
SUPPLIER_ONLY = frozenset(
    {Permiso.EDITAR_PERFIL_COMERCIAL, Permiso.GESTIONAR_BIBLIOTECA, Permiso.RESPONDER_INVITACIONES}
)


def applicable(entidad) -> list[str]:
    """The catalogue's permissions that apply to this account, in catalogue order: what its role
    forms offer and its API accepts."""
    excluded = set()
    if not entidad.es_entidad_estatal:
        excluded |= ENTITY_ONLY
    if not entidad.actua_como_proveedor:
        excluded |= SUPPLIER_ONLY
    return [p for p in Permiso.values if p not in excluded]


def scope(permiso: str) -> str:
    """Which accounts a permission applies to: "todas", "entidad_estatal" or "proveedor"."""
    if permiso in ENTITY_ONLY:
        return "entidad_estatal"
    if permiso in SUPPLIER_ONLY:
        return "proveedor"
    return "todas"
