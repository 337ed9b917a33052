from django.utils.translation import gettext as _

from registro.accounts.permissions import is_service_desk
from registro.core.errors import ApplicationError, ErrorCode
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


def downloadable_documento(user, pk: int) -> Documento:
    """The guard of every download of an entity document (page and API): `can_download_documento`,
    or "not found"."""
    documento = Documento.objects.select_related("entidad", "registro").filter(pk=pk).first()
    if documento is None or not can_download_documento(user, documento):
        raise ApplicationError(ErrorCode.NOT_FOUND, _("No existe ese documento."), status=404)
    return documento
