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


ALL = frozenset(Permiso.values)


# The built-in roles (R1.1): an Administrador may do everything in the catalogue; a Comprador
# only what the custom roles given to them allow.
BUILTIN = {"administrador": ALL, "comprador": frozenset()}
