"""The API's shapes of membership objects that more than one capability shows: an invitation is
listed in the console and in the invitee's own registrations."""

from datetime import datetime

from ninja import Field, Schema


class RolRefOut(Schema):
    id: int
    nombre: str


class InvitacionOut(Schema):
    id: int
    entidad_id: int
    entidad_nombre: str
    correo: str
    rol: str
    rol_label: str = Field(
        description="El rol como lo nombra la cuenta: Administrador, Comprador o Usuario del Proveedor"
    )
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
    def resolve_rol_label(obj) -> str:
        return obj.get_rol_display()

    @staticmethod
    def resolve_estado(obj) -> str:
        return "vencida" if obj.vencida else obj.estado
