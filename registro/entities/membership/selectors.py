from django.db.models import Count, Exists, OuterRef, QuerySet

from registro.accounts.backends import register_request_fact
from registro.entities.account.models import Entidad
from registro.entities.membership.models import Invitacion, Membresia, RolEntidad, SolicitudAcceso


def membresias_del_usuario(*, user) -> QuerySet[Membresia]:
    return Membresia.objects.filter(usuario=user, activa=True).select_related("entidad")


def admins_activos(*, entidad: Entidad) -> int:
    return Membresia.objects.administradores(entidad).count()


def miembros(*, entidad: Entidad) -> QuerySet[Membresia]:
    return (
        entidad.membresias.select_related("usuario")
        .prefetch_related("roles", "unidades")
        .order_by("-activa", "rol", "usuario__username")
    )


def solicitudes_pendientes(*, entidad: Entidad) -> QuerySet[SolicitudAcceso]:
    return entidad.solicitudes_acceso.filter(estado=SolicitudAcceso.Estado.PENDIENTE).select_related(
        "usuario", "entidad"
    )


def roles(*, entidad: Entidad) -> QuerySet[RolEntidad]:
    return entidad.roles.annotate(n_miembros=Count("membresias")).order_by("nombre")


def invitaciones(*, entidad: Entidad) -> QuerySet[Invitacion]:
    return entidad.invitaciones.select_related("invitada_por", "aceptada_por", "entidad").prefetch_related("roles")


def user_is_administrador(user) -> bool:
    """Holds the Administrador role in an active membership of any account: one of the roles that
    need a second factor (settings.MFA_REQUIRED_ROLES)."""
    if not (user and user.is_authenticated):
        return False
    known = getattr(user, IS_ADMINISTRADOR, None)
    if known is not None:
        return known
    return _administrador(user.pk).exists()


def _administrador(usuario):
    return Membresia.objects.filter(usuario=usuario, activa=True, rol=Membresia.Rol.ADMINISTRADOR)


# Read with the request's user (registro.accounts.backends): the second-factor rule asks it on
# every page.
IS_ADMINISTRADOR = "_is_administrador"
register_request_fact(IS_ADMINISTRADOR, lambda: Exists(_administrador(OuterRef("pk"))))
