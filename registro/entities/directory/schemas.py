from datetime import datetime

from ninja import Field, Schema


class DirectorioQuery(Schema):
    """The search's parameters, as the page's form takes them (`forms.DirectorioForm` validates both)."""

    q: str = Field("", max_length=255, description="Palabras del nombre (o su comienzo), o el NIT con o sin DV")
    tipo: list[str] = Field(
        default_factory=list, description="entidad_estatal, proveedor, entidad_proveedor (se puede repetir)"
    )
    unspsc: str = Field(
        "",
        max_length=100,
        description="Código UNSPSC de 2, 4, 6 u 8 dígitos, o palabras de su nombre: encuentra lo de debajo. "
        "Si el nombre coincide con varios códigos, la respuesta 422 los lista en `unspsc_opciones`",
    )
    departamento: str = Field("", max_length=2, description="Código DANE del departamento")
    municipio: str = Field("", max_length=5, description="Código DANE del municipio")
    tamano: str = Field("", max_length=10, description="micro, pequena, mediana o grande")
    mipyme: bool = Field(False, description="Solo MiPyme")
    tipo_empresa: str = Field("", max_length=20, description="Identificador del tipo de organización")
    orden: str = Field("", max_length=20, description="relevancia (por omisión) o nombre")
    cursor: str = Field("", max_length=2000, description="`siguiente` o `anterior` de una respuesta anterior")


class ResultadoOut(Schema):
    id: int = Field(alias="pk")
    nombre: str
    nit: str = Field(description="NIT-DV; vacío para una persona natural (Ley 1581 de 2012)")
    tipo: str
    municipio: str
    departamento: str
    categoria_codigo: str
    categoria_nombre: str
    mipyme: bool


class PaginaOut(Schema):
    resultados: list[ResultadoOut]
    total: int = Field(description="Exacto si `total_exacto`; si no, hay más de `total` resultados")
    total_exacto: bool
    siguiente: str | None = Field(description="Cursor de la página siguiente")
    anterior: str | None = Field(description="Cursor de la página anterior")
    nit: bool = Field(description="El texto se buscó como NIT")


class CampoOut(Schema):
    etiqueta: str
    valor: str


class AreaOut(Schema):
    codigo: str
    nombre: str
    nivel: str
    principal: bool

    @staticmethod
    def resolve_codigo(obj) -> str:
        return obj.codigo.codigo

    @staticmethod
    def resolve_nombre(obj) -> str:
        return obj.codigo.nombre

    @staticmethod
    def resolve_nivel(obj) -> str:
        return obj.codigo.nivel


class VersionOut(Schema):
    id: int
    version: int
    nombre_original: str
    tamano: int
    content_type: str
    subido_en: datetime
    vigente: bool


class DocumentoPublicoOut(Schema):
    tipo: str
    etiqueta: str
    versiones: list[VersionOut] = Field(
        description="La vigente primero; se descargan en /directorio/documentos/{id}/archivo"
    )


class PerfilOut(Schema):
    id: int
    nombre: str
    tipo_cuenta: str
    es_proveedor: bool
    nit: str = Field(description="NIT-DV; vacío para una persona natural (Ley 1581 de 2012)")
    persona_natural: bool
    datos: list[CampoOut]
    clasificacion: list[CampoOut]
    contacto: list[CampoOut]
    financiera: list[CampoOut]
    areas: list[AreaOut]
    documentos: list[DocumentoPublicoOut]
