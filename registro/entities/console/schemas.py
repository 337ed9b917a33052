from datetime import datetime

from ninja import Field, Schema

from registro.core.api import Id
from registro.entities.membership.schemas import RolRefOut


class AprobarIn(Schema):
    rol: str = Field("comprador", description="Rol propio: administrador | comprador")
    roles: list[Id] = Field(default_factory=list, description="Ids de roles adicionales de la Entidad")


class RechazarIn(Schema):
    motivo: str = Field(..., max_length=1000)


class MiembroOut(Schema):
    id: int
    usuario: str
    nombre: str
    rol: str
    rol_label: str = Field(
        description="El rol como lo nombra la cuenta: Administrador, Comprador o Usuario del Proveedor"
    )
    activa: bool
    roles: list[RolRefOut]
    unidades: list[RolRefOut]

    @staticmethod
    def resolve_rol_label(obj) -> str:
        return obj.get_rol_display()

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
    roles: list[Id] | None = Field(None, description="Ids de todos los roles adicionales que tendrá")


class EntidadRefOut(Schema):
    id: int
    nombre: str
    nit: str | None
    dv: str
    estado: str
    tipo_cuenta: str = Field(description="entidad_estatal | proveedor")
    actua_como_proveedor: bool = Field(description="Un Proveedor, o una Entidad con el perfil de Proveedor (R4.3)")


class ActingOut(Schema):
    entidad: EntidadRefOut
    membresia_id: int
    rol: str
    rol_label: str = Field(
        description="El rol como lo nombra la cuenta: Administrador, Comprador o Usuario del Proveedor"
    )
    roles: list[RolRefOut]
    permisos: list[str]


class ActingIn(Schema):
    entidad_id: Id


class PermisoOut(Schema):
    value: str
    label: str
    ambito: str = Field(
        description="A qué cuentas aplica: todas | entidad_estatal (unidades de contratación) | "
        "proveedor (Proveedores y Entidades con el perfil de Proveedor)"
    )


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
    roles: list[Id] = Field(default_factory=list)
    mensaje: str = Field("", max_length=2000)


class UnidadIn(Schema):
    nombre: str = Field(..., max_length=300)
    descripcion: str = Field("", max_length=2000)
    miembros: list[Id] = Field(default_factory=list, description="Ids de membresías de la Entidad")


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
