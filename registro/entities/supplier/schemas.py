"""The API's shapes of the supplier side: the commercial profile, the areas of interest and the
library. Amounts in pesos are decimal strings ("1250000000.00")."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

TEXT = 255
MONEY = "En pesos: un número, o texto como «1.250.000,50» (hasta 40 caracteres)"


class AreaOut(Schema):
    codigo: str
    nombre: str
    nivel: str
    prefijo: str
    principal: bool

    @staticmethod
    def resolve_nombre(obj) -> str:
        return obj.codigo.nombre

    @staticmethod
    def resolve_nivel(obj) -> str:
        return obj.codigo.nivel

    @staticmethod
    def resolve_codigo(obj) -> str:
        return obj.codigo_id


class AreasOut(Schema):
    principal: str | None
    areas: list[AreaOut]


class AreasIn(Schema):
    codigos: list[str] = Field(
        ..., max_length=500, description="Códigos UNSPSC de cualquier nivel: 2, 4, 6 u 8 dígitos (43, 4321, 43211500)"
    )
    principal: str = Field("", max_length=20, description="La categoría principal, uno de `codigos`")


class PerfilOut(Schema):
    entidad_id: int
    tipo_cuenta: str
    es_proveedor: bool
    persona: str
    tipo_empresa: str | None
    nombre: str
    nombre_abreviado: str
    nit: str | None
    dv: str
    pais: str
    id_tributario: str
    departamento_id: str | None
    municipio_id: str | None
    direccion: str
    telefono: str
    sitio_web: str
    correo_notificaciones: str
    nombres: str
    apellidos: str
    tipo_documento: str
    numero_documento: str
    representante_nombre: str
    representante_tipo_documento: str
    representante_numero_documento: str
    representante_correo: str
    representante_telefono: str
    tamano: str
    es_mipyme: bool
    anio_fiscal: int | None
    activos: Decimal | None
    pasivos: Decimal | None
    patrimonio: Decimal | None
    ingresos_operacionales: Decimal | None
    areas: list[AreaOut]


def _text(n: int = TEXT, description: str | None = None):
    return Field(None, max_length=n, description=description)


class PerfilPatchIn(Schema):
    """Only the fields sent change. A new `nombre`, `nit` or `id_tributario` is not applied: it goes
    to the Mesa de Servicio as a case (answer 202)."""

    nombre: str | None = _text(description="Nombre o razón social (un cambio va a la Mesa de Servicio)")
    nit: str | None = _text(20, "NIT sin dígito de verificación (un cambio va a la Mesa de Servicio)")
    id_tributario: str | None = _text(30, "Proveedores extranjeros (un cambio va a la Mesa de Servicio)")
    nombre_abreviado: str | None = _text(60)
    nombres: str | None = _text(150, "Persona natural")
    apellidos: str | None = _text(150, "Persona natural")
    departamento: str | None = _text(2, "Código DANE")
    municipio: str | None = _text(5, "Código DANE")
    direccion: str | None = _text()
    telefono: str | None = _text(20)
    sitio_web: str | None = _text()
    correo_notificaciones: str | None = _text(254)
    representante_nombre: str | None = _text()
    representante_tipo_documento: str | None = _text(5, "CC | CE | PA | PPT")
    representante_numero_documento: str | None = _text(20)
    representante_correo: str | None = _text(254)
    representante_telefono: str | None = _text(20)
    tamano: str | None = _text(10, "micro | pequena | mediana | grande")
    es_mipyme: bool | None = None
    anio_fiscal: int | None = Field(None, ge=0, le=9999)
    activos: Decimal | str | None = Field(None, description=MONEY)
    pasivos: Decimal | str | None = Field(None, description=MONEY)
    patrimonio: Decimal | str | None = Field(None, description=MONEY)
    ingresos_operacionales: Decimal | str | None = Field(None, description=MONEY)


class CambioSolicitadoOut(Schema):
    caso: str = Field(description="Número del caso de la Mesa de Servicio")
    mensaje: str
    solicitados: dict = Field(description="{campo: {antes, despues}}: lo que la Mesa de Servicio revisará")
    perfil: PerfilOut


class BibliotecaDocumentoOut(Schema):
    id: int
    tipo: str
    tipo_label: str
    titulo: str
    visibilidad: str
    visibilidad_label: str
    biblioteca: bool = Field(description="Documento de la biblioteca (se gestiona aquí); si no, documento legal")
    nombre_original: str
    tamano: int
    content_type: str
    version: int
    vigente: bool
    subido_en: datetime
    url: str

    @staticmethod
    def resolve_tipo_label(obj) -> str:
        return obj.get_tipo_display()

    @staticmethod
    def resolve_visibilidad_label(obj) -> str:
        return obj.get_visibilidad_display()

    @staticmethod
    def resolve_biblioteca(obj) -> bool:
        return obj.tipo in obj.BIBLIOTECA

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/api/v1/entidades/documentos/{obj.pk}/archivo"


class VisibilidadIn(Schema):
    visibilidad: str = Field(..., max_length=20, description="directorio | privado")
