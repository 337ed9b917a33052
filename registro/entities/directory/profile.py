"""The commercial profile as the Directorio shows it (R8.1, R9.4: what the account saved is what
the directory shows), with the documents visible there (R2.4). A natural person's document number
and personal contacts are never part of it (Ley 1581 de 2012, R10.3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode
from registro.core.models import ClasificacionEntidad
from registro.entities.account.models import AreaInteres, Entidad, PerfilComercial
from registro.entities.directory.search import NATURAL
from registro.entities.registration.models import Documento
from registro.entities.registration.selectors import documentos_directorio


@dataclass
class DocumentoPublico:
    """A document of the profile: its current version first, then the earlier ones."""

    tipo: str
    etiqueta: str
    versiones: list[Documento]

    @property
    def vigente(self) -> Documento:
        return self.versiones[0]

    @property
    def anteriores(self) -> list[Documento]:
        return self.versiones[1:]


@dataclass
class Campo:
    etiqueta: str
    valor: str


@dataclass
class PerfilPublico:
    entidad: Entidad
    perfil: PerfilComercial | None
    natural: bool
    nit: str  # NIT-DV; empty for a natural person
    datos: list[Campo] = field(default_factory=list)  # the public fields, in the order shown
    clasificacion: list[Campo] = field(default_factory=list)  # entities: orden, rama, sector, tipo
    contacto: list[Campo] = field(default_factory=list)  # the contact for notifications
    financiera: list[Campo] = field(default_factory=list)  # legal persons that gave it
    areas: list[AreaInteres] = field(default_factory=list)
    documentos: list[DocumentoPublico] = field(default_factory=list)


def _campos(pairs) -> list[Campo]:
    return [Campo(str(label), str(value)) for label, value in pairs if value not in (None, "")]


def _money(value) -> str:
    return f"$ {value:,.0f}".replace(",", ".") if value is not None else ""


def perfil_publico(*, pk: int) -> PerfilPublico:
    """The profile of an active account; any other (pending, suspended, rejected, missing) is not
    found."""
    # Two joins, not six: PostgreSQL spent 4 to 8 ms planning the seven-table join (every order of
    # it) for a row it then read in half a millisecond. The classification is read apart, and only
    # for a State entity. Ordered by the key (the one row), not by the model's default, the name.
    entidad = (
        Entidad.objects.filter(pk=pk, estado=Entidad.Estado.ACTIVA)
        .select_related("departamento", "municipio")
        .order_by("pk")
        .first()
    )
    if entidad is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, _("No existe esa cuenta en el Directorio."), status=404)
    perfil = PerfilComercial.objects.filter(entidad=entidad).select_related("tipo_empresa").first()
    natural = perfil is not None and perfil.persona == NATURAL
    ubicacion = ", ".join(x.nombre for x in (entidad.municipio, entidad.departamento) if x is not None)
    result = PerfilPublico(entidad=entidad, perfil=perfil, natural=natural, nit="" if natural else entidad.nit_con_dv)
    result.datos = _campos(
        [
            (_("Tipo de cuenta"), entidad.tipo_label),
            (_("NIT"), result.nit),
            (_("Nombre Abreviado"), entidad.nombre_abreviado),
            (_("Persona"), perfil.get_persona_display() if perfil and perfil.persona else ""),
            (_("Tipo de organización"), perfil.tipo_empresa.nombre if perfil and perfil.tipo_empresa else ""),
            (_("Tamaño de la empresa"), perfil.get_tamano_display() if perfil and perfil.tamano else ""),
            (_("MiPyme"), (_("Sí") if perfil.es_mipyme else _("No")) if perfil else ""),
            (_("Ubicación"), ubicacion),
            (_("Dirección"), perfil.direccion if perfil and not natural else ""),
            (_("Sitio web"), perfil.sitio_web if perfil else ""),
            (_("Representante legal"), perfil.representante_nombre if perfil and not natural else ""),
        ]
    )
    if entidad.es_entidad_estatal:
        campos = (
            (_("Orden"), "orden"),
            (_("Rama"), "rama"),
            (_("Sector"), "sector"),
            (_("Tipo de Entidad"), "tipo_entidad"),
        )
        ids = {label: getattr(entidad, f"{name}_id") for label, name in campos}
        valores = ClasificacionEntidad.objects.in_bulk([i for i in ids.values() if i is not None])
        result.clasificacion = _campos((label, valores[i].valor if i in valores else "") for label, i in ids.items())
    if not natural:
        result.contacto = _campos(
            [
                (_("Correo electrónico para notificaciones SECOP II"), entidad.correo_notificaciones),
                (_("Teléfono"), entidad.telefono),
            ]
        )
        if perfil is not None and perfil.anio_fiscal:
            result.financiera = _campos(
                [
                    (_("Año fiscal"), perfil.anio_fiscal),
                    (_("Activos"), _money(perfil.activos)),
                    (_("Pasivos"), _money(perfil.pasivos)),
                    (_("Patrimonio"), _money(perfil.patrimonio)),
                    (_("Ingresos operacionales"), _money(perfil.ingresos_operacionales)),
                ]
            )
    result.areas = list(
        AreaInteres.objects.filter(entidad=entidad).select_related("codigo").order_by("-principal", "codigo")
    )
    result.documentos = documentos_publicos(entidad)
    return result


def documentos_publicos(entidad: Entidad) -> list[DocumentoPublico]:
    """The documents of `entidad` visible in the Directorio, each with its versions, newest first."""
    rows = documentos_directorio().filter(entidad=entidad).order_by("tipo", "titulo", "-vigente", "-version")
    grupos = []
    for (tipo, _titulo), versions in groupby(rows, key=lambda d: (d.tipo, d.titulo)):
        versions = list(versions)
        grupos.append(DocumentoPublico(tipo=tipo, etiqueta=versions[0].etiqueta, versiones=versions))
    return grupos
