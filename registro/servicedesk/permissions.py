"""Who may do what with support cases. The desk's rules need a Mesa de Servicio account; an
entity's users never reach the desk's pages or API."""

from registro.accounts.permissions import is_service_desk
from registro.entities.account.models import Entidad
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.permissions import user_can

from .models import Caso

__all__ = ["is_service_desk", "can_open_for", "can_correct", "can_view_case", "can_decide"]


def can_open_for(user, entidad: Entidad) -> bool:
    """Opening (and following) the entity's cases: its Administradores and the roles allowing it."""
    return user_can(user, entidad, Permiso.ABRIR_CASOS)


def can_correct(user, entidad: Entidad) -> bool:
    """Replacing documents, correcting data and resubmitting when the desk asks for corrections."""
    return user_can(user, entidad, Permiso.EDITAR_ENTIDAD)


def can_view_case(user, caso: Caso) -> bool:
    """The requester, the entity's users who may open its cases or correct its registration, and
    the desk."""
    if not (user and user.is_authenticated):
        return False
    if is_service_desk(user) or caso.solicitante_id == user.pk:
        return True
    return caso.entidad_id is not None and (can_open_for(user, caso.entidad) or can_correct(user, caso.entidad))


def can_decide(user) -> bool:
    return is_service_desk(user)
