from datetime import date, datetime

from ninja import Field, Schema


class EntidadSearchOut(Schema):
    id: int
    nombre: str
    nit: str
    dv: str
    estado: str
    estado_label: str

    @staticmethod
    def resolve_estado_label(obj) -> str:
        return obj.get_estado_display()


class EntidadOut(Schema):
    id: int
    nombre: str
    nombre_abreviado: str
    nit: str
    dv: str
    estado: str
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


class RegistroOut(Schema):
    id: int
    estado: str
    datos: dict[str, str]
    entidad_id: int | None
    created_at: datetime
    updated_at: datetime


class PreRegistroIn(Schema):
    pais: str = Field("CO", max_length=2)
    tipo_cuenta: str = Field("entidad_estatal", max_length=30)
    registrada_siif: str = Field(..., max_length=2, description="si | no")
    codigo_pci: str = Field("", max_length=20)
    area_negocio: str = Field(..., max_length=20, description="publico | publico_privado")
    tipo_organizacion: str = Field(..., max_length=20, description="decreto_1082 | otras")
    nombre: str = Field("", max_length=255)
    nit: str = Field("", max_length=20)


class RegistroPatchIn(Schema):
    """Any field of the form, as text; values are kept as typed and checked at "Finalizar"."""

    datos: dict[str, str | None]


class VerificacionOut(Schema):
    ok: bool
    errors: dict[str, list[str]]
    missing_documents: list[str]


class ReferenceOut(Schema):
    value: str
    label: str


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
