from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema

from registro.accounts import mfa
from registro.accounts import selectors as user_selectors
from registro.accounts import sessions as user_sessions
from registro.accounts.schemas import AccessEventOut, SessionOut
from registro.core.api import Id
from registro.entities.account import selectors as account_selectors
from registro.entities.console.schemas import EventoOut
from registro.entities.membership.schemas import RolRefOut
from registro.entities.registration.schemas import DocumentoOut, EntidadOut

from . import selectors
from .models import Asunto, Caso, RevisionDocumento


class CasoIn(Schema):
    """ "Crear caso" (R4.1). The requester's data left out is pre-filled from the profile and, with
    `entidad_id`, from the entity; what is sent replaces it. A request for a new Usuario
    Administrador (`asunto` nuevo_administrador) names the entity by `nit_entidad` and may be made by
    any user."""

    entidad_id: Id | None = Field(None, description="Entidad de la que es Usuario Administrador (solicitudes)")
    nit_entidad: str | None = Field(
        None, max_length=20, description="NIT de una Entidad activa (asunto nuevo_administrador), con o sin DV"
    )
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
    cambios: dict = Field(description="Cambio de NIT o razón social: {campo: {antes, despues}}")

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
    entidad: EntidadOut | None = Field(None, description="Los datos actuales de la Entidad del caso")
    documentos: list[ChecklistItemOut]
    prechecks: list[PrecheckOut]


class EntidadDatosIn(Schema):
    """ "Corregir datos de la Entidad" (while the desk asks for corrections): the fields of the
    registration form, as text, with the same rules. Fields left out keep their value. The NIT
    cannot change: if sent, it must be the entity's."""

    registrada_siif: str | None = Field(None, max_length=2, description="si | no")
    codigo_pci: str | None = Field(None, max_length=20)
    area_negocio: str | None = Field(None, max_length=20, description="publico | publico_privado")
    tipo_organizacion: str | None = Field(None, max_length=20, description="decreto_1082 | otras")
    nombre: str | None = Field(None, max_length=255)
    nombre_abreviado: str | None = Field(None, max_length=60)
    nit: str | None = Field(None, max_length=20, description="No se puede cambiar")
    orden: str | None = Field(None, max_length=20, description="Id de /api/v1/reference/clasificaciones")
    rama: str | None = Field(None, max_length=20)
    sector: str | None = Field(None, max_length=20)
    tipo_entidad: str | None = Field(None, max_length=20)
    entidad_superior_nit: str | None = Field(
        None, max_length=20, description="NIT de la Entidad registrada de la que depende; vacío: ninguna"
    )
    departamento: str | None = Field(None, max_length=2, description="Código DANE")
    municipio: str | None = Field(None, max_length=5, description="Código DANE")
    telefono: str | None = Field(None, max_length=20)
    correo_notificaciones: str | None = Field(None, max_length=254)
    ordenador_delegado: str | None = Field(None, max_length=2, description="si | no")
    certificado_fecha_expedicion: str | None = Field(
        None, max_length=10, description="AAAA-MM-DD; solo «Público y Privado», del certificado vigente"
    )


class DesignarAdministradorIn(Schema):
    usuario: str = Field(..., max_length=254, description="Nombre de usuario o correo de un usuario registrado")
    motivo: str = Field(..., max_length=5000)


class MembresiaDesignadaOut(Schema):
    caso: CasoOut
    entidad_id: int
    usuario: str
    rol: str
    activa: bool


class DiaOut(Schema):
    day: date
    opened: int
    resolved: int


class TableroOut(Schema):
    daily: list[DiaOut]
    median_activation_seconds: float | None
    open_cases: int


class CuentaOut(Schema):
    """An account of either kind, as the desk's "Cuentas" list it."""

    id: int
    nombre: str
    nombre_abreviado: str
    nit: str | None = Field(description="Sin dígito de verificación; vacío para un Proveedor extranjero sin NIT")
    dv: str
    nit_con_dv: str = Field(description="NIT-DV, o país e identificación tributaria de un Proveedor extranjero")
    pais: str
    id_tributario: str
    tipo_cuenta: str = Field(description="entidad_estatal | proveedor")
    tipo_label: str
    es_proveedor: bool = Field(description="Una Entidad Estatal con el perfil de Proveedor habilitado (R4.3)")
    estado: str
    estado_label: str
    correo_notificaciones: str
    telefono: str
    created_at: datetime
    activada_at: datetime | None

    @staticmethod
    def resolve_estado_label(obj) -> str:
        return obj.get_estado_display()


class CuentaMiembroOut(Schema):
    id: int
    usuario: str
    nombre: str
    correo: str
    rol: str
    rol_label: str = Field(description="Administrador, Comprador o Usuario del Proveedor, según la cuenta")
    activa: bool
    roles: list[RolRefOut]

    @staticmethod
    def resolve_usuario(obj) -> str:
        return obj.usuario.username

    @staticmethod
    def resolve_nombre(obj) -> str:
        return obj.usuario.full_name

    @staticmethod
    def resolve_correo(obj) -> str:
        return obj.usuario.email

    @staticmethod
    def resolve_rol_label(obj) -> str:
        return obj.get_rol_display()

    @staticmethod
    def resolve_roles(obj) -> list:
        return list(obj.roles.all())


class SuspensionOut(Schema):
    motivo: str
    actor: str | None
    created_at: datetime

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class CuentaDetailOut(CuentaOut):
    miembros: list[CuentaMiembroOut]
    suspension: SuspensionOut | None = Field(description="Motivo, quién y cuándo, mientras está suspendida")
    historial: list[EventoOut] = Field(description="Los 50 eventos más recientes de la cuenta")

    @staticmethod
    def resolve_miembros(obj) -> list:
        return list(selectors.account_members(entidad=obj))

    @staticmethod
    def resolve_suspension(obj):
        return account_selectors.suspension(entidad=obj)

    @staticmethod
    def resolve_historial(obj) -> list:
        return list(selectors.entity_history(entidad=obj)[:50])


# --- The desk: users ("Usuarios") -----------------------------------------------------------------


class UsuarioOut(Schema):
    """A user, as the desk's "Usuarios" list it."""

    id: int
    username: str
    nombre: str = Field(alias="full_name")
    correo: str = Field(alias="email")
    tipo_documento: str = Field(alias="document_type")
    numero_documento: str = Field(alias="document_number")
    activo: bool = Field(alias="is_active")
    registrado: datetime = Field(alias="date_joined")
    ultimo_ingreso: datetime | None = Field(alias="last_login")


class UsuarioMembresiaOut(Schema):
    entidad_id: int
    entidad: str = Field(alias="entidad.nombre")
    rol: str
    rol_label: str
    activa: bool
    roles: list[RolRefOut]

    @staticmethod
    def resolve_rol_label(obj) -> str:
        return obj.get_rol_display()


class SegundoFactorOut(Schema):
    tipo: str = Field(alias="type", description="totp (aplicación), webauthn (llave) o recovery_codes")
    nombre: str
    creado: datetime = Field(alias="created_at")
    ultimo_uso: datetime | None = Field(alias="last_used_at")

    @staticmethod
    def resolve_nombre(obj) -> str:
        return str(obj) if obj.type == "webauthn" else obj.get_type_display()


class UsuarioDetailOut(UsuarioOut):
    membresias: list[UsuarioMembresiaOut]
    segundos_factores: list[SegundoFactorOut] = Field(description="Su verificación en dos pasos")
    segundo_factor_exigido: bool = Field(description="Uno de sus roles exige un segundo factor")
    accesos: list[AccessEventOut] = Field(description="Los 50 eventos más recientes del historial de accesos")
    sesiones: list[SessionOut] = Field(description="Sus sesiones activas, las de actividad más reciente primero")

    @staticmethod
    def resolve_membresias(obj) -> list:
        return list(selectors.user_memberships(user=obj))

    @staticmethod
    def resolve_sesiones(obj) -> list:
        return user_sessions.session_list(user=obj, current_key=None)

    @staticmethod
    def resolve_accesos(obj) -> list:
        return list(user_selectors.access_event_list(user=obj)[:50])

    @staticmethod
    def resolve_segundos_factores(obj) -> list:
        return mfa.second_factors(user=obj)

    @staticmethod
    def resolve_segundo_factor_exigido(obj) -> bool:
        return mfa.required_grace_days(obj) is not None
