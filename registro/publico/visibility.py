"""Who may see each field of an account: the one table that the public pages, the open-data
downloads, the OCDS parties and the public API all read (issue 12, R10.3).

Three levels, from the widest audience to the narrowest:

- PUBLICO: anyone, without logging in; the open data is made of these fields only.
- CUENTAS_ACTIVAS: users who belong to an active account (buyers and suppliers who contract).
- CUENTA_Y_MESA: the account's own users and the Mesa de Servicio.

A field can have one level for organisations (State entities and legal persons) and a narrower one
for natural persons, whose document numbers, personal phones, e-mails and home address are personal
data under Ley 1581 de 2012 (habeas data): never public. A field that is not visible is left empty
(exports) or not shown (pages, API), and the data dictionary gives the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from django.utils.translation import gettext_lazy as _


class Nivel(IntEnum):
    PUBLICO = 0
    CUENTAS_ACTIVAS = 1
    CUENTA_Y_MESA = 2

    @property
    def label(self) -> str:
        return str(NIVEL_LABELS[self])


NIVEL_LABELS = {
    Nivel.PUBLICO: _("Público"),
    Nivel.CUENTAS_ACTIVAS: _("Usuarios de cuentas activas"),
    Nivel.CUENTA_Y_MESA: _("La cuenta y la Mesa de Servicio"),
}

P, A, M = Nivel.PUBLICO, Nivel.CUENTAS_ACTIVAS, Nivel.CUENTA_Y_MESA

HABEAS_DATA = _(
    "Dato personal de una persona natural (Ley 1581 de 2012): no se publica; lo ven la cuenta y la Mesa de Servicio."
)
CONTACTO_PERSONAL = _(
    "Contacto personal (Ley 1581 de 2012): no se publica; lo ven los usuarios de cuentas activas, que contratan."
)
SIN_FUENTE = _("La plataforma no registra este dato: siempre vacío.")


@dataclass(frozen=True)
class Campo:
    """One field as the outputs show it. `organizacion` is its level for State entities and legal
    persons, `persona_natural` for natural persons; `motivo` says why it is not public."""

    nombre: str
    etiqueta: str
    fuente: str
    tipo: str
    organizacion: Nivel
    persona_natural: Nivel
    motivo: str = ""

    def nivel(self, *, natural: bool) -> Nivel:
        return self.persona_natural if natural else self.organizacion

    def visible(self, nivel_visor: Nivel, *, natural: bool) -> bool:
        return nivel_visor >= self.nivel(natural=natural)

    @property
    def publico_siempre(self) -> bool:
        return self.organizacion == P and self.persona_natural == P


def _c(nombre, etiqueta, fuente, tipo, organizacion, persona_natural=None, motivo=""):
    return Campo(nombre, str(etiqueta), fuente, tipo, organizacion, persona_natural or organizacion, str(motivo))


# Every field any public output reads. The datos.gov.co column names ("Proveedores Registrados",
# qmzu-gj57) are used as they are; the other names are this platform's.
CAMPOS: dict[str, Campo] = {
    c.nombre: c
    for c in (
        _c("codigo", _("Código de la cuenta"), "Entidad.id", "entero", P),
        _c("nombre", _("Nombre o razón social"), "Entidad.nombre", "texto", P),
        _c(
            "nit",
            _("NIT"),
            "Entidad.nit (sin dígito de verificación)",
            "texto (dígitos)",
            P,
            M,
            _("El NIT de una persona natural es su número de cédula (Ley 1581 de 2012): no se publica."),
        ),
        _c("dv", _("Dígito de verificación"), "Entidad.dv", "texto (un dígito)", P, M, HABEAS_DATA),
        _c("tipo_cuenta", _("Tipo de cuenta"), "Entidad.tipo_cuenta y Entidad.es_proveedor", "texto", P),
        _c("es_entidad", _("Es Entidad"), "Entidad.tipo_cuenta = Entidad Estatal", "Si/No", P),
        _c(
            "es_grupo",
            _("Es grupo (consorcio o unión temporal)"),
            "constante: la plataforma no registra grupos",
            "Si/No",
            P,
        ),
        _c("esta_activa", _("Está activa"), "Entidad.estado = Activa", "Si/No", P),
        _c("estado", _("Estado"), "Entidad.estado", "texto", P),
        _c("fecha_creacion", _("Fecha de registro"), "Entidad.created_at", "fecha y hora ISO 8601 (UTC)", P),
        _c("fecha_activacion", _("Activa desde"), "Entidad.activada_at", "fecha y hora ISO 8601 (UTC)", P),
        _c(
            "codigo_categoria_principal",
            _("Código de la categoría principal"),
            "AreaInteres.codigo (principal)",
            "texto (8 dígitos UNSPSC)",
            P,
        ),
        _c(
            "descripcion_categoria_principal",
            _("Categoría principal"),
            "CodigoUNSPSC.nombre de la categoría principal",
            "texto",
            P,
        ),
        _c(
            "areas_interes",
            _("Áreas de interés"),
            "AreaInteres.codigo, CodigoUNSPSC.nombre",
            "lista de códigos UNSPSC",
            P,
        ),
        _c(
            "telefono",
            _("Teléfono"),
            "Entidad.telefono",
            "texto",
            P,
            A,
            _(
                "El teléfono de una persona natural es personal (Ley 1581 de 2012): lo ven los usuarios de cuentas activas."
            ),
        ),
        _c("fax", _("Fax"), "ninguna", "texto", P, P, SIN_FUENTE),
        _c(
            "correo",
            _("Correo electrónico de notificaciones"),
            "Entidad.correo_notificaciones",
            "texto (correo)",
            P,
            A,
            _(
                "El correo de una persona natural es personal (Ley 1581 de 2012): lo ven los usuarios de cuentas activas."
            ),
        ),
        _c(
            "direccion",
            _("Dirección"),
            "PerfilComercial.direccion",
            "texto",
            P,
            M,
            _("La dirección de una persona natural es su domicilio (Ley 1581 de 2012): no se publica."),
        ),
        _c("pais", _("País"), "Entidad.pais", "texto (ISO 3166-1 alfa-2)", P),
        _c("departamento", _("Departamento"), "Departamento.nombre (DIVIPOLA)", "texto", P),
        _c("codigo_departamento", _("Código DANE del departamento"), "Entidad.departamento", "texto (2 dígitos)", P),
        _c("municipio", _("Municipio"), "Municipio.nombre (DIVIPOLA)", "texto", P),
        _c("codigo_municipio", _("Código DANE del municipio"), "Entidad.municipio", "texto (5 dígitos)", P),
        _c("sitio_web", _("Sitio web"), "PerfilComercial.sitio_web", "texto (URL)", P),
        _c(
            "tipo_empresa",
            _("Tipo de organización"),
            "TipoEmpresa.nombre (perfil comercial); «Entidad Estatal» sin perfil",
            "texto",
            P,
        ),
        _c(
            "nombre_representante_legal",
            _("Nombre del representante legal"),
            "PerfilComercial.representante_nombre",
            "texto",
            P,
        ),
        _c(
            "tipo_doc_representante_legal",
            _("Tipo de documento del representante legal"),
            "PerfilComercial.representante_tipo_documento",
            "texto",
            P,
        ),
        _c(
            "n_mero_doc_representante_legal",
            _("Número de documento del representante legal"),
            "PerfilComercial.representante_numero_documento",
            "texto",
            M,
            M,
            HABEAS_DATA,
        ),
        _c(
            "telefono_representante_legal",
            _("Teléfono del representante legal"),
            "PerfilComercial.representante_telefono",
            "texto",
            A,
            A,
            CONTACTO_PERSONAL,
        ),
        _c(
            "correo_representante_legal",
            _("Correo del representante legal"),
            "PerfilComercial.representante_correo",
            "texto (correo)",
            A,
            A,
            CONTACTO_PERSONAL,
        ),
        _c("espyme", _("Es MiPyme"), "PerfilComercial.es_mipyme", "Si/No", P),
        _c("tamano", _("Tamaño de la empresa"), "PerfilComercial.tamano", "texto", P),
        _c(
            "ubicacion",
            _("Ubicación"),
            "Municipio.latitud, Municipio.longitud (centro del municipio, DIVIPOLA)",
            "punto WKT «POINT (longitud latitud)»",
            P,
        ),
        _c("orden", _("Orden"), "Entidad.orden", "texto", P),
        _c("rama", _("Rama"), "Entidad.rama", "texto", P),
        _c("sector", _("Sector"), "Entidad.sector", "texto", P),
        _c("tipo_entidad", _("Tipo de Entidad"), "Entidad.tipo_entidad", "texto", P),
        _c(
            "historial",
            _("Historial de estados"),
            "EventoEntidad (registrada, activada, suspendida, reactivada)",
            "lista",
            P,
        ),
        _c(
            "motivo_estado",
            _("Motivo de una suspensión o reactivación"),
            "EventoEntidad.motivo",
            "texto",
            M,
            M,
            _("Lo escribe la Mesa de Servicio para la cuenta y puede contener datos personales: no se publica."),
        ),
        _c(
            "documento_persona",
            _("Documento de la persona natural"),
            "PerfilComercial.tipo_documento, numero_documento",
            "texto",
            M,
            M,
            HABEAS_DATA,
        ),
        _c(
            "datos_financieros",
            _("Información financiera"),
            "PerfilComercial.anio_fiscal, activos, pasivos, patrimonio, ingresos_operacionales",
            "números",
            A,
            A,
            _("Información que el proveedor da a quienes contratan: la ven los usuarios de cuentas activas."),
        ),
    )
}


def campo(nombre: str) -> Campo:
    return CAMPOS[nombre]


def visible(nombre: str, nivel_visor: Nivel, *, natural: bool) -> bool:
    return CAMPOS[nombre].visible(nivel_visor, natural=natural)


def no_publicos(*, natural: bool) -> list[Campo]:
    """The fields the public never sees for an account of this kind of person."""
    return [c for c in CAMPOS.values() if c.nivel(natural=natural) > P]


def nivel_del_visor(user, entidad_id: int | None = None) -> Nivel:
    """The widest level `user` may see of the account `entidad_id`: the desk and the account's own
    users see everything; users of any active account, what those who contract need."""
    from registro.accounts.permissions import is_service_desk
    from registro.entities.account.models import Entidad
    from registro.entities.membership.models import Membresia

    if not (user and user.is_authenticated and user.is_active):
        return P
    if is_service_desk(user):
        return M
    membresias = Membresia.objects.filter(usuario=user, activa=True)
    if entidad_id is not None and membresias.filter(entidad_id=entidad_id).exists():
        return M
    if membresias.filter(entidad__estado=Entidad.Estado.ACTIVA).exists():
        return A
    return P
