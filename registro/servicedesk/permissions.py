"""Who may do what with support cases. The desk's rules need a Mesa de Servicio account; an
entity's users never reach the desk's pages or API."""

from registro.accounts.permissions import is_service_desk
from registro.entities.models import Entidad, Membresia

from .models import Caso

__all__ = ["is_service_desk", "is_entity_admin", "can_view_case", "can_decide"]


def is_entity_admin(user, entidad: Entidad) -> bool:
    return Membresia.objects.filter(
        usuario=user, entidad=entidad, activa=True, rol=Membresia.Rol.ADMINISTRADOR
    ).exists()


def can_view_case(user, caso: Caso) -> bool:
    """The requester, the administrators of the case's entity, and the desk."""
    if not (user and user.is_authenticated):
        return False
    if is_service_desk(user) or caso.solicitante_id == user.pk:
        return True
    return caso.entidad_id is not None and is_entity_admin(user, caso.entidad)


def can_decide(user) -> bool:
    return is_service_desk(user)
