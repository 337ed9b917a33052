"""What the desk hears from the layers below it, which may not import it (ADR 0010)."""

from registro.entities.account.models import Entidad
from registro.entities.account.signals import identity_change_requested

from . import services


def open_identity_change_case(sender, *, entidad, user, cambios, **kwargs) -> str:
    """An account asked to change its NIT or legal name: a case for the desk; its number back."""
    return services.caso_identity_change_open(entidad=entidad, user=user, cambios=cambios).numero


def connect() -> None:
    identity_change_requested.connect(
        open_identity_change_case, sender=Entidad, dispatch_uid="servicedesk.open_identity_change_case"
    )
