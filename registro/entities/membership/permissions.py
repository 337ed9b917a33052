"""Who may do what with an entity and its registration. Every view and API operation names the
rule it applies."""

from django.utils.functional import cached_property

from registro.accounts.permissions import is_service_desk
from registro.entities.account.models import Entidad
from registro.entities.membership import catalogue
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia


def is_entity_admin(user, entidad: Entidad) -> bool:
    return Membresia.objects.administradores(entidad).filter(usuario=user).exists()


def membresia_permisos(membresia: Membresia | None) -> frozenset[str]:
    """What a membership allows: everything that applies to its account for an Administrador; for
    anyone else, the union of the permissions of the account's roles they hold. Only what applies
    to the account's kind counts (`catalogue.applicable`: no purchasing units for a supplier, no
    commercial profile for an entity that does not supply). Suspended memberships allow nothing."""
    if membresia is None or not membresia.activa:
        return frozenset()
    base = catalogue.BUILTIN.get(membresia.rol, frozenset())
    granted = set(base)
    if base != catalogue.ALL:
        for rol in membresia.roles.all():
            granted.update(rol.permisos)
    return frozenset(granted) & frozenset(catalogue.applicable(membresia.entidad))


def membresia_of(user, entidad: Entidad | int) -> Membresia | None:
    if not (user and user.is_authenticated):
        return None
    entidad_id = entidad if isinstance(entidad, int) else entidad.pk
    return (
        Membresia.objects.filter(usuario=user, entidad_id=entidad_id, activa=True)
        .select_related("entidad")
        .prefetch_related("roles")
        .first()
    )


def user_can(user, entidad: Entidad | int, permiso: Permiso | str) -> bool:
    return standing(user, entidad).can(permiso)


class Standing:
    """What a user holds in one entity: the permissions of their membership and whether they are
    an Administrador. Whoever grants something must hold it (`may_grant`)."""

    def __init__(self, membresia: Membresia | None):
        self._standing_of = membresia
        self.is_admin = bool(membresia and membresia.activa and membresia.rol == Membresia.Rol.ADMINISTRADOR)

    @cached_property
    def permisos(self) -> frozenset[str]:
        # Worked out when first asked: a page that checks no permission reads no roles.
        return membresia_permisos(self._standing_of)

    def can(self, permiso: Permiso | str) -> bool:
        return permiso in self.permisos

    def may_grant(self, *, rol: str = "", permisos=()) -> bool:
        """No one hands out more than they hold: only an Administrador grants (or takes away) the
        Administrador role, and custom roles may only be given by someone holding all their
        permissions."""
        if rol == Membresia.Rol.ADMINISTRADOR and not self.is_admin:
            return False
        return set(permisos) <= self.permisos


def standing(user, entidad: Entidad | int) -> Standing:
    return Standing(membresia_of(user, entidad))


def is_member(user, entidad: Entidad) -> bool:
    return Membresia.objects.filter(usuario=user, entidad=entidad, activa=True).exists()


def can_view_entidad(user, entidad: Entidad) -> bool:
    return bool(user and user.is_authenticated) and (is_member(user, entidad) or is_service_desk(user))
