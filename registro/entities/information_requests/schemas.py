from datetime import datetime

from ninja import Schema
from pydantic import Field

from registro.core.api import Id
from registro.entities.directory.schemas import DirectorioQuery


class AdjuntoOut(Schema):
    id: int
    nombre_original: str
    tamano: int
    content_type: str


class EnvioOut(Schema):
    id: int
    origen: str
    estado: str
    total: int
    procesados: int
    invitados: int
    omitidos: int
    created_at: datetime
    terminado_at: datetime | None
    excedio_tope: bool = Field(
        False, description="Con `directorio`: los resultados pasaban del tope y solo se invitó a los primeros"
    )


class SolicitudOut(Schema):
    id: int
    titulo: str
    descripcion: str
    codigos: list[str]
    plazo: datetime
    estado: str = Field(description="abierta, cerrada (plazo vencido) o cancelada")
    motivo_cancelacion: str
    invitados: int
    respondidas: int
    no_interesado: int
    adjuntos: list[AdjuntoOut]
    envios: list[EnvioOut]
    created_at: datetime


class SolicitudItemOut(Schema):
    id: int
    titulo: str
    plazo: datetime
    estado: str
    invitados: int
    respondidas: int
    no_interesado: int


class InvitarIn(Schema):
    automatica: bool = Field(False, description="Todos los Proveedores cuyas áreas de interés coinciden")
    cuentas: list[Id] = Field(default_factory=list, description="Cuentas elegidas (manual), hasta el tope configurado")
    directorio: DirectorioQuery | None = Field(
        None,
        description="En lugar de `cuentas`: una búsqueda del Directorio (sus parámetros, sin `cursor`); se invita "
        "a los Proveedores activos de todos sus resultados, los primeros hasta el tope configurado",
    )


class AmpliarIn(Schema):
    plazo: datetime = Field(description="Nueva fecha y hora límite; sin zona horaria se entiende hora de Bogotá")


class CancelarIn(Schema):
    motivo: str = Field(max_length=2000)


class CuentaOut(Schema):
    id: int
    nombre: str
    nit_con_dv: str


class RespuestaOut(Schema):
    id: int
    proveedor: CuentaOut
    origen: str
    estado: str
    mensaje: str
    respondida_at: datetime | None
    adjuntos: list[AdjuntoOut]


class RecibidaOut(Schema):
    id: int
    solicitud_id: int
    titulo: str
    descripcion: str
    entidad: CuentaOut
    plazo: datetime
    estado_solicitud: str
    estado: str
    mensaje: str
    respondida_at: datetime | None
    adjuntos_solicitud: list[AdjuntoOut]
    adjuntos: list[AdjuntoOut]
