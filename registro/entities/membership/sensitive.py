"""Which changes to an account's users are sensitive actions (accounts/reauthentication.py,
ADR 0018), decided here once for the console's pages and its API operations."""

from registro.accounts.reauthentication import SensitiveAction
from registro.entities.membership.models import Membresia

ADMIN = Membresia.Rol.ADMINISTRADOR
# Modifying or deleting one of the account's roles changes what every user holding it may do.
# Creating one changes nobody's access until it is given (which is ROLES_CAMBIAR).
ROLE_DEFINITION = SensitiveAction.ROLES_CAMBIAR


def member_change(membresia: Membresia, accion: str, *, rol: str | None = None) -> SensitiveAction | None:
    """`accion`: roles | suspender | reactivar | retirar, as the console names them."""
    if accion == "roles":
        if rol == ADMIN and membresia.rol != ADMIN:
            return SensitiveAction.ADMINISTRADOR_NOMBRAR
        if membresia.rol == ADMIN and rol not in (None, ADMIN):
            return SensitiveAction.ADMINISTRADOR_RETIRAR
        return SensitiveAction.ROLES_CAMBIAR
    if membresia.rol != ADMIN:
        return None
    if accion == "reactivar":
        return SensitiveAction.ADMINISTRADOR_NOMBRAR
    if accion in ("suspender", "retirar"):
        return SensitiveAction.ADMINISTRADOR_RETIRAR
    return None


def granting(rol: str | None) -> SensitiveAction | None:
    """Approving an access request or inviting someone with this built-in role."""
    return SensitiveAction.ADMINISTRADOR_NOMBRAR if rol == ADMIN else None
