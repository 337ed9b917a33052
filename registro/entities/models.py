"""The app's models module, as Django looks for it: each capability package defines its own models
(an account of any kind, its membership, its registration, the console's purchasing units); this
module only gathers them under the `entities` app label. Code imports them from their package."""

from registro.entities.account.models import AreaNegocio, Entidad, EventoEntidad, TipoOrganizacion
from registro.entities.console.models import UnidadContratacion
from registro.entities.directory.models import DescargaDocumento
from registro.entities.information_requests.models import (
    AdjuntoRespuesta,
    AdjuntoSolicitud,
    CodigoSolicitud,
    EnvioInvitaciones,
    InvitacionSolicitud,
    SolicitudInformacion,
)
from registro.entities.membership.models import Invitacion, Membresia, RolEntidad, SolicitudAcceso
from registro.entities.registration.models import Documento, RegistroEntidad, documento_path

__all__ = [
    "AdjuntoRespuesta",
    "AdjuntoSolicitud",
    "CodigoSolicitud",
    "EnvioInvitaciones",
    "InvitacionSolicitud",
    "SolicitudInformacion",
    "AreaNegocio",
    "DescargaDocumento",
    "Documento",
    "Entidad",
    "EventoEntidad",
    "Invitacion",
    "Membresia",
    "RegistroEntidad",
    "RolEntidad",
    "SolicitudAcceso",
    "TipoOrganizacion",
    "UnidadContratacion",
    "documento_path",
]
