"""The Mesa de Servicio's guards, shared by its pages and its API operations: each finds what a
request names and applies one permission rule, or answers "not found" (404), so that what a user
may not see does not seem to exist. Pages call them through `registro.core.http.or_404`."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode
from registro.entities.account.models import Entidad
from registro.entities.registration.models import Documento

from . import permissions, selectors
from .models import Adjunto, Caso


def _not_found(message: str) -> ApplicationError:
    return ApplicationError(ErrorCode.NOT_FOUND, message, status=404)


def case_for(user, numero: str) -> Caso:
    """Rule `can_view_case`: the requester, the entity's users who may follow or correct it, the desk."""
    caso = selectors.case_by_number(numero=numero)
    if caso is None or not permissions.can_view_case(user, caso):
        raise _not_found(_("No existe ese caso."))
    return caso


def case_to_correct(user, numero: str) -> Caso:
    """Rule `can_correct`: only the entity's users allowed to edit it correct its registration."""
    caso = case_for(user, numero)
    if caso.entidad_id is None or not permissions.can_correct(user, caso.entidad):
        raise _not_found(_("No existe ese caso."))
    return caso


def require_desk(user) -> None:
    """Rule `is_service_desk`: for anyone else the desk's operations do not exist."""
    if not permissions.is_service_desk(user):
        raise _not_found(_("No existe ese recurso."))


def desk_case(user, numero: str) -> Caso:
    require_desk(user)
    caso = selectors.case_by_number(numero=numero)
    if caso is None:
        raise _not_found(_("No existe ese caso."))
    return caso


def desk_account(user, pk: int) -> Entidad:
    """Rule `is_service_desk`: an account of either kind the desk names on its "Cuentas" pages."""
    require_desk(user)
    entidad = Entidad.objects.select_related("departamento", "municipio").filter(pk=pk).first()
    if entidad is None:
        raise _not_found(_("No existe esa cuenta."))
    return entidad


def desk_user(user, pk: int):
    """Rule `is_service_desk`: a user the desk names on its "Usuarios" pages."""
    require_desk(user)
    found = get_user_model().objects.filter(pk=pk).first()
    if found is None:
        raise _not_found(_("No existe ese usuario."))
    return found


def document_under_review(pk: int) -> Documento:
    """A document the desk names on its review page (the service checks it belongs to the case)."""
    documento = Documento.objects.filter(pk=pk).first()
    if documento is None:
        raise _not_found(_("No existe ese documento."))
    return documento


def attachment_for(user, pk: int, *, numero: str | None = None) -> Adjunto:
    """An attachment of a case the user may see (of case `numero`, when the address names it)."""
    adjunto = Adjunto.objects.select_related("mensaje__caso").filter(pk=pk).first()
    if adjunto is None or not permissions.can_view_case(user, adjunto.mensaje.caso):
        raise _not_found(_("No existe ese adjunto."))
    if numero is not None and adjunto.mensaje.caso.numero != numero:
        raise _not_found(_("No existe ese adjunto."))
    return adjunto


def entity_for_case(user, entidad_id) -> Entidad:
    """Rule `can_open_for`: the entity a case is opened for, by one of its users allowed to."""
    entidad = Entidad.objects.select_related("departamento", "municipio").filter(pk=entidad_id).first()
    if entidad is None or not permissions.can_open_for(user, entidad):
        raise _not_found(_("No existe esa Entidad."))
    return entidad
