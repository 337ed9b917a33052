from registro.accounts.permissions import is_service_desk
from registro.entities.membership.permissions import is_member
from registro.entities.registration.models import Documento, RegistroEntidad


def can_edit_registro(user, registro: RegistroEntidad) -> bool:
    """Only its author edits a registration in progress."""
    return bool(user and user.is_authenticated and registro.usuario_id == user.pk)


def can_download_documento(user, documento: Documento) -> bool:
    """Only the entity's own users (or the registration's author) and the service desk."""
    if not (user and user.is_authenticated):
        return False
    if is_service_desk(user):
        return True
    if documento.entidad_id:
        return is_member(user, documento.entidad)
    return documento.registro is not None and documento.registro.usuario_id == user.pk
