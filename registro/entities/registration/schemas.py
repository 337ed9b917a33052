from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from registro.core import unspsc


class EntidadSearchOut(Schema):
    id: int
    nombre: str
    nit: str | None = Field(..., description="Vacío para un Proveedor extranjero sin NIT colombiano")
    dv: str
    estado: str
    estado_label: str
    tipo_cuenta: str = Field(..., description="entidad_estatal | proveedor")
    tipo_label: str
    pais: str
    id_tributario: str

    @staticmethod
    def resolve_estado_label(obj) -> str:
        return obj.get_estado_display()


class EntidadOut(Schema):
    id: int
    tipo_cuenta: str = Field(..., description="entidad_estatal | proveedor")
    tipo_label: str
    nombre: str
    nombre_abreviado: str
    nit: str | None = Field(..., description="Vacío para un Proveedor extranjero sin NIT colombiano")
    dv: str
    id_tributario: str = Field(..., description="Proveedores extranjeros: la identificación tributaria de su país")
    estado: str
    activada_at: datetime | None
    pais: str
    registrada_siif: bool
    codigo_pci: str
    area_negocio: str
    tipo_organizacion: str
    orden: str | None
    rama: str | None
    sector: str | None
    tipo_entidad: str | None
    entidad_superior_id: int | None
    departamento_id: str | None
    municipio_id: str | None
    telefono: str
    correo_notificaciones: str
    ordenador_delegado: bool
    created_at: datetime

    @staticmethod
    def resolve_orden(obj):
        return obj.orden.valor if obj.orden_id else None

    @staticmethod
    def resolve_rama(obj):
        return obj.rama.valor if obj.rama_id else None

    @staticmethod
    def resolve_sector(obj):
        return obj.sector.valor if obj.sector_id else None

    @staticmethod
    def resolve_tipo_entidad(obj):
        return obj.tipo_entidad.valor if obj.tipo_entidad_id else None


class DocumentoOut(Schema):
    id: int
    tipo: str
    tipo_label: str
    nombre_original: str
    tamano: int
    sha256: str
    content_type: str
    version: int
    vigente: bool
    fecha_expedicion: date | None
    subido_en: datetime
    url: str

    @staticmethod
    def resolve_tipo_label(obj) -> str:
        return obj.get_tipo_display()

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/api/v1/entidades/documentos/{obj.pk}/archivo"


class AreaElegidaOut(Schema):
    codigo: str
    nivel: str
    nombre: str
    principal: bool


class RegistroOut(Schema):
    id: int
    tipo_cuenta: str = Field(..., description="entidad_estatal | proveedor: fijado al generar el formulario")
    estado: str
    datos: dict[str, str]
    areas: list[AreaElegidaOut] = Field(
        ..., description="Proveedores: los códigos UNSPSC válidos de `datos.areas`, con su nombre"
    )
    areas_desconocidas: list[str] = Field(..., description="Lo escrito en `datos.areas` que no es un código UNSPSC")
    entidad_id: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tipo_cuenta(obj) -> str:
        return obj.datos.get("tipo_cuenta") or "entidad_estatal"

    @staticmethod
    def _selection(obj):
        return unspsc.parse_selection([obj.datos.get("areas", "")], obj.datos.get("categoria_principal", ""))

    @staticmethod
    def resolve_areas(obj) -> list[dict]:
        seleccion = RegistroOut._selection(obj)
        codes = unspsc.unspsc_get_many(seleccion.codigos)
        return [
            {"codigo": c, "nivel": codes[c].nivel, "nombre": codes[c].nombre, "principal": c == seleccion.principal}
            for c in seleccion.codigos
        ]

    @staticmethod
    def resolve_areas_desconocidas(obj) -> list[str]:
        return RegistroOut._selection(obj).desconocidos


class PreRegistroIn(Schema):
    pais: str = Field("CO", max_length=2)
    tipo_cuenta: str = Field("entidad_estatal", max_length=30)
    registrada_siif: str = Field(..., max_length=2, description="si | no")
    codigo_pci: str = Field("", max_length=20)
    area_negocio: str = Field(..., max_length=20, description="publico | publico_privado")
    tipo_organizacion: str = Field(..., max_length=20, description="decreto_1082 | otras")
    nombre: str = Field("", max_length=255)
    nit: str = Field("", max_length=20)


class PreRegistroProveedorIn(Schema):
    """ "Registrar Proveedor": the supplier pre-form (R9.1)."""

    pais: str = Field("CO", max_length=2, description="Código ISO 3166-1 del país (ver /reference/paises)")
    area_negocio: str = Field("privado", max_length=20, description="privado | publico_privado")
    tipo_empresa: str = Field(
        ..., max_length=40, description="Código del tipo de organización (ver /reference/tipos-empresa)"
    )
    nombre: str = Field("", max_length=255)
    nit: str = Field("", max_length=20)


class RegistroPatchIn(Schema):
    """Any field of the form, as text; values are kept as typed and checked at "Finalizar". A
    supplier's areas of interest go in `areas` (a list of codes, replacing the chosen ones) or in
    `datos.areas` as text, and the main one in `datos.categoria_principal`."""

    datos: dict[str, str | None] = Field(default_factory=dict)
    areas: list[Annotated[str, Field(max_length=20)]] | None = Field(
        None, max_length=500, description="Códigos UNSPSC (2, 4, 6 u 8 dígitos)"
    )


class VerificacionOut(Schema):
    ok: bool
    errors: dict[str, list[str]]
    missing_documents: list[str]


class ReferenceOut(Schema):
    value: str
    label: str


class TipoEmpresaOut(Schema):
    value: str
    label: str
    persona: str = Field(..., description="natural | juridica")
    extranjera: bool


class SolicitudOut(Schema):
    id: int
    entidad_id: int
    entidad_nombre: str
    usuario: str
    mensaje: str
    estado: str
    estado_label: str
    motivo: str
    created_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_entidad_nombre(obj) -> str:
        return obj.entidad.nombre

    @staticmethod
    def resolve_usuario(obj) -> str:
        return obj.usuario.username

    @staticmethod
    def resolve_estado_label(obj) -> str:
        return obj.get_estado_display()


class SolicitudIn(Schema):
    mensaje: str = Field("", max_length=1000)


class MembresiaOut(Schema):
    entidad_id: int
    entidad_nombre: str
    rol: str
    rol_label: str = Field(
        description="El rol como lo nombra la cuenta: Administrador, Comprador o Usuario del Proveedor"
    )
    created_at: datetime

    @staticmethod
    def resolve_entidad_nombre(obj) -> str:
        return obj.entidad.nombre

    @staticmethod
    def resolve_rol_label(obj) -> str:
        return obj.get_rol_display()
