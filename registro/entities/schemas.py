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


class AprobarIn(Schema):
    rol: str = Field("comprador", description="Rol propio: administrador | comprador")
    roles: list[int] = Field(default_factory=list, description="Ids de roles adicionales de la Entidad")


class RechazarIn(Schema):
    motivo: str = Field(..., max_length=1000)


class MembresiaOut(Schema):
    entidad_id: int
    entidad_nombre: str
    rol: str
    created_at: datetime

    @staticmethod
    def resolve_entidad_nombre(obj) -> str:
        return obj.entidad.nombre


class RolRefOut(Schema):
    id: int
    nombre: str


class MiembroOut(Schema):
    id: int
    usuario: str
    nombre: str
    rol: str
    activa: bool
    roles: list[RolRefOut]
    unidades: list[RolRefOut]

    @staticmethod
    def resolve_roles(obj) -> list:
        return list(obj.roles.all())

    @staticmethod
    def resolve_unidades(obj) -> list:
        return list(obj.unidades.all())

    @staticmethod
    def resolve_usuario(obj) -> str:
        return obj.usuario.username

    @staticmethod
    def resolve_nombre(obj) -> str:
        return obj.usuario.full_name


class MiembroPatchIn(Schema):
    rol: str | None = Field(None, description="Rol propio: administrador | comprador")
    roles: list[int] | None = Field(None, description="Ids de todos los roles adicionales que tendrá")


class EntidadRefOut(Schema):
    id: int
    nombre: str
    nit: str
    dv: str
    estado: str


class ActingOut(Schema):
    entidad: EntidadRefOut
    membresia_id: int
    rol: str
    roles: list[RolRefOut]
    permisos: list[str]


class ActingIn(Schema):
    entidad_id: int


class PermisoOut(Schema):
    value: str
    label: str


class RolIn(Schema):
    nombre: str = Field(..., max_length=200)
    descripcion: str = Field("", max_length=1000)
    permisos: list[str] = Field(default_factory=list)


class RolOut(Schema):
    id: int
    nombre: str
    descripcion: str
    permisos: list[str]
    created_at: datetime


class InvitacionIn(Schema):
    correo: str = Field(..., max_length=254)
    rol: str = Field("comprador", description="administrador | comprador")
    roles: list[int] = Field(default_factory=list)
    mensaje: str = Field("", max_length=2000)


class InvitacionOut(Schema):
    id: int
    entidad_id: int
    entidad_nombre: str
    correo: str
    rol: str
    roles: list[RolRefOut]
    estado: str
    estado_label: str
    envios: int
    enviada_at: datetime
    vence_at: datetime

    @staticmethod
    def resolve_entidad_nombre(obj) -> str:
        return obj.entidad.nombre

    @staticmethod
    def resolve_roles(obj) -> list:
        return list(obj.roles.all())

    @staticmethod
    def resolve_estado(obj) -> str:
        return "vencida" if obj.vencida else obj.estado


class UnidadIn(Schema):
    nombre: str = Field(..., max_length=300)
    descripcion: str = Field("", max_length=2000)
    miembros: list[int] = Field(default_factory=list, description="Ids de membresías de la Entidad")


class UnidadOut(Schema):
    id: int
    nombre: str
    descripcion: str
    miembros: list[int]

    @staticmethod
    def resolve_miembros(obj) -> list[int]:
        return sorted(m.pk for m in obj.miembros.all())


class EventoOut(Schema):
    id: int
    tipo: str
    tipo_label: str
    actor: str | None
    motivo: str
    detalle: dict
    estado_anterior: str
    estado_nuevo: str
    created_at: datetime

    @staticmethod
    def resolve_tipo_label(obj) -> str:
        return obj.get_tipo_display()

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None
