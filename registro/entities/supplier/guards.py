"""The supplier side's guards, shared by the console's pages and its API operations: the account
acted for must have a supplier side (R4.3, R9), or these pages and operations do not exist for it
(404); library documents are looked up within the account only."""

from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode
from registro.entities.account.models import Entidad
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.permissions import standing
from registro.entities.registration.models import Documento


def require_supplier_side(entidad: Entidad) -> Entidad:
    if not entidad.actua_como_proveedor:
        raise ApplicationError(
            ErrorCode.NOT_FOUND,
            _("Esta cuenta no tiene perfil de Proveedor: pida a la Mesa de Servicio que lo habilite."),
            status=404,
        )
    return entidad


def require_can(user, entidad: Entidad, permiso: Permiso) -> None:
    """Checked again by each service on the locked account: a supplier side, an active account and
    the permission, whoever calls it."""
    require_supplier_side(entidad)
    if entidad.estado != Entidad.Estado.ACTIVA:
        raise ApplicationError(
            ErrorCode.CONFLICT,
            _("La cuenta %(nombre)s está «%(estado)s»: no se puede modificar.")
            % {"nombre": entidad.nombre, "estado": entidad.get_estado_display()},
            {"estado": entidad.estado},
            status=409,
        )
    if not standing(user, entidad).can(permiso):
        raise ApplicationError(
            ErrorCode.PERMISSION_DENIED,
            _("Su rol en %(entidad)s no le permite hacer esto (permiso «%(permiso)s»).")
            % {"entidad": entidad.nombre, "permiso": Permiso(permiso).label},
            {"permiso": str(permiso)},
            status=403,
        )


def library_documento(entidad: Entidad, pk) -> Documento:
    """A current document of the account's library (not a legal document, not an earlier version)."""
    documento = (
        Documento.objects.filter(pk=pk, entidad=entidad, tipo__in=Documento.BIBLIOTECA, vigente=True).first()
        if isinstance(pk, int)
        else None
    )
    if documento is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, _("No existe ese documento en la biblioteca."), status=404)
    return documento
