from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema

from registro.entities.schemas import DocumentoOut

from .models import Asunto, Caso, RevisionDocumento


class CasoIn(Schema):
    """ "Crear caso" (R4.1). The requester's data left out is pre-filled from the profile and, with
    `entidad_id`, from the entity; what is sent replaces it."""

    entidad_id: int | None = Field(None, description="Entidad de la que es Usuario Administrador (solicitudes)")
    nombres: str | None = Field(None, max_length=150)
    apellidos: str | None = Field(None, max_length=150)
    numero_documento: str | None = Field(None, max_length=20)
    nombre_entidad: str | None = Field(None, max_length=255)
    departamento: str | None = Field(None, max_length=100)
    municipio: str | None = Field(None, max_length=100)
    correo: str | None = Field(None, max_length=254)
    telefono: str | None = Field(None, max_length=20)
    celular: str | None = Field(None, max_length=20)
    tipo_solicitud: str = Field(..., max_length=20, description="solicitud | duda")
    asunto: str = Field(..., max_length=40, description=" | ".join(Asunto.values))
    tipo_usuario: str = Field(..., max_length=20, description="comprador | proveedor | ciudadano")
    descripcion: str = Field(..., max_length=5000)


class CasoOut(Schema):
    numero: str
    estado: str
    estado_label: str
    sistema: str
    tipo_solicitud: str
    asunto: str
    asunto_label: str
    tipo_usuario: str
    descripcion: str
    nombres: str
    apellidos: str
    numero_documento: str
    nombre_entidad: str
    departamento: str
    municipio: str
    correo: str
    telefono: str
    celular: str
    entidad_id: int | None
    entidad_estado: str | None
    asignado_a: str | None
    created_at: datetime
    updated_at: datetime
    resuelto_at: datetime | None

    @staticmethod
    def resolve_estado_label(obj: Caso) -> str:
        return obj.get_estado_display()

    @staticmethod
    def resolve_asunto_label(obj: Caso) -> str:
        return obj.get_asunto_display()

    @staticmethod
    def resolve_entidad_estado(obj: Caso) -> str | None:
        return obj.entidad.estado if obj.entidad_id else None

    @staticmethod
    def resolve_asignado_a(obj: Caso) -> str | None:
        return obj.asignado_a.username if obj.asignado_a_id else None


class CasoColaOut(CasoOut):
    age_seconds: int = Field(description="Segundos desde que se abrió el caso")

    @staticmethod
    def resolve_age_seconds(obj: Caso) -> int:
        return int((timezone.now() - obj.created_at).total_seconds())


class AdjuntoOut(Schema):
    id: int
    nombre_original: str
    tamano: int
    sha256: str
    content_type: str
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/api/v1/casos/{obj.mensaje.caso.numero}/adjuntos/{obj.pk}"


class MensajeOut(Schema):
    id: int
    autor: str
    de_la_mesa: bool
    texto: str
    created_at: datetime
    adjuntos: list[AdjuntoOut]

    @staticmethod
    def resolve_autor(obj) -> str:
        # As on the case's page: the desk answers as "Mesa de Servicio".
        return _("Mesa de Servicio") if obj.de_la_mesa else (obj.autor.full_name or obj.autor.username)

    @staticmethod
    def resolve_adjuntos(obj) -> list:
        return list(obj.adjuntos.all())


class EventoCasoOut(Schema):
    tipo: str
    estado_anterior: str
    estado_nuevo: str
    motivo: str
    actor: str | None
    created_at: datetime

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class CasoDetailOut(CasoOut):
    mensajes: list[MensajeOut]
    eventos: list[EventoCasoOut]

    @staticmethod
    def resolve_mensajes(obj: Caso) -> list:
        return list(obj.mensajes.select_related("autor", "caso").prefetch_related("adjuntos"))

    @staticmethod
    def resolve_eventos(obj: Caso) -> list:
        return list(obj.eventos.select_related("actor"))


class NotaIn(Schema):
    nota: str = Field("", max_length=5000)


class MotivoIn(Schema):
    motivo: str = Field("", max_length=5000)


class RevisionIn(Schema):
    decision: RevisionDocumento.Decision
    motivo: str = Field("", max_length=2000)


class RevisionOut(Schema):
    documento_id: int
    decision: str
    motivo: str
    revisor: str
    revisado_at: datetime

    @staticmethod
    def resolve_revisor(obj) -> str:
        return obj.revisor.username

    @staticmethod
    def resolve_revisado_at(obj) -> datetime:
        return obj.created_at


class ChecklistItemOut(Schema):
    documento: DocumentoOut
    revision: RevisionOut | None


class PrecheckOut(Schema):
    code: str
    label: str
    status: str = Field(description="ok | warning | fail | not_applicable")
    message: str
    detail: dict


class RevisionCasoOut(Schema):
    caso: CasoOut
    documentos: list[ChecklistItemOut]
    prechecks: list[PrecheckOut]


class DiaOut(Schema):
    day: date
    opened: int
    resolved: int


class TableroOut(Schema):
    daily: list[DiaOut]
    median_activation_seconds: float | None
    open_cases: int
