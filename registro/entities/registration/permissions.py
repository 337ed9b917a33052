from django.utils.translation import gettext as _

from registro.accounts.permissions import is_service_desk
from registro.core.errors import ApplicationError, ErrorCode
from registro.entities.account.models import Entidad
from registro.entities.membership.models import SolicitudAcceso
from registro.entities.membership.permissions import is_member
from registro.entities.registration.models import Documento, RegistroEntidad
from registro.entities.registration.selectors import documentos_directorio, registro_get


def can_edit_registro(user, registro: RegistroEntidad) -> bool:
    """Only its author edits a registration in progress."""
    return bool(user and user.is_authenticated and registro.usuario_id == user.pk)


def can_download_documento(user, documento: Documento, *, lector: Entidad | None = None) -> bool:
    """The account's own users (or the registration's author) and the service desk; and, through
    the Directorio (R2.4), a user acting for an active account (`lector`, one of their own) the
    documents visible there (`documentos_directorio`). A library document (R9.3) marked private is
    the account's alone."""
    if not (user and user.is_authenticated):
        return False
    if lector is not None and lector.estado == Entidad.Estado.ACTIVA and is_member(user, lector):
        if documentos_directorio().filter(pk=documento.pk).exists():
            return True
    if is_service_desk(user):
        return True
    if documento.tipo in Documento.BIBLIOTECA and documento.visibilidad == Documento.Visibilidad.PRIVADO:
        return documento.entidad_id is not None and is_member(user, documento.entidad)
    if documento.entidad_id:
        return is_member(user, documento.entidad)
    return documento.registro is not None and documento.registro.usuario_id == user.pk


def downloadable_documento(user, pk: int, *, lector: Entidad | None = None) -> Documento:
    """The guard of every download of an entity document (pages and API, the Directorio's with the
    account the user acts for as `lector`): `can_download_documento`, or "not found"."""
    documento = Documento.objects.select_related("entidad", "registro").filter(pk=pk).first()
    if documento is None or not can_download_documento(user, documento, lector=lector):
        raise ApplicationError(ErrorCode.NOT_FOUND, _("No existe ese documento."), status=404)
    return documento


def editable_registro(user, pk: int) -> RegistroEntidad:
    """The guard of a registration in progress (page and API): only its author, or "not found"."""
    registro = registro_get(user=user, pk=pk) if user.is_authenticated else None
    if registro is None or not can_edit_registro(user, registro):
        raise ApplicationError(ErrorCode.NOT_FOUND, _("No existe ese registro."), status=404)
    return registro


def solicitud_named(pk: int) -> SolicitudAcceso:
    """An access request named in an address; the service checks who may act on it."""
    solicitud = SolicitudAcceso.objects.select_related("entidad", "usuario").filter(pk=pk).first()
    if solicitud is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, _("No existe esa solicitud."), status=404)
    return solicitud
