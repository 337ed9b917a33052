"""Who may do what with an entity and its registration. Every view and API operation names the
rule it applies."""

from registro.accounts.permissions import is_service_desk

from .models import Documento, Entidad, Membresia, RegistroEntidad


def is_entity_admin(user, entidad: Entidad) -> bool:
    return Membresia.objects.filter(
        usuario=user, entidad=entidad, activa=True, rol=Membresia.Rol.ADMINISTRADOR
    ).exists()


def can_edit_registro(user, registro: RegistroEntidad) -> bool:
    """Only its author edits a registration in progress."""
    return bool(user and user.is_authenticated and registro.usuario_id == user.pk)


def is_member(user, entidad: Entidad) -> bool:
    return Membresia.objects.filter(usuario=user, entidad=entidad, activa=True).exists()


def can_view_entidad(user, entidad: Entidad) -> bool:
    return bool(user and user.is_authenticated) and (is_member(user, entidad) or is_service_desk(user))


def can_act_for(user, entidad: Entidad) -> bool:
    """Acting for an entity needs an active account (R3.9): pending entities are not usable."""
    return entidad.estado == Entidad.Estado.ACTIVA and is_member(user, entidad)


def can_download_documento(user, documento: Documento) -> bool:
    """Only the entity's own users (or the registration's author) and the service desk."""
    if not (user and user.is_authenticated):
        return False
    if is_service_desk(user):
        return True
    if documento.entidad_id:
        return is_member(user, documento.entidad)
    return documento.registro is not None and documento.registro.usuario_id == user.pk
