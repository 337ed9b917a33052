"""The Mesa de Servicio's JSON API (R4): a requester's cases and their threads, the entity's
corrections, and the desk's queue, review checklist, decisions and dashboard.

Permission rules, named in each operation:
- A case is seen by its requester, the administrators of its entity and the desk
  (`permissions.can_view_case`); anyone else gets 404 `not_found`, as if it did not exist.
- The desk's operations (`/mesa/...`) need a Mesa de Servicio account (`permissions.is_service_desk`);
  any other user gets 404 `not_found`, so they are not revealed.
- Replacing documents, correcting the entity's data and resubmitting need the permission to edit
  the entity's data and documents (`permissions.can_correct`); anyone else gets 404.
- Any logged-in user may open a request for a new Usuario Administrador of an active entity, named
  by `nit_entidad`; only the desk designates one (`/mesa/casos/{numero}/designar-administrador`).
- The desk's "Cuentas" (`/mesa/cuentas...`): every account of either kind, and its suspension and
  reactivation with a reason, through the same services and guard as the pages (`guards.desk_account`)."""

from dataclasses import asdict
from typing import Literal

from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from registro.accounts import mfa, reauthentication
from registro.accounts.api_auth import authenticated, current_terms, terms_auth
from registro.accounts.schemas import SessionsEndedOut
from registro.accounts.services import ClientInfo
from registro.core.api import Id, Pagination
from registro.entities.account.models import Entidad, TipoCuenta
from registro.entities.registration.schemas import DocumentoOut, EntidadOut

from . import actions, guards, selectors, services
from .models import Asunto, Caso
from .prechecks import prechecks_for
from .schemas import (
    CasoColaOut,
    CasoDetailOut,
    CasoIn,
    CasoOut,
    CuentaDetailOut,
    CuentaOut,
    DesignarAdministradorIn,
    EntidadDatosIn,
    MembresiaDesignadaOut,
    MensajeOut,
    MotivoIn,
    NotaIn,
    RevisionCasoOut,
    RevisionIn,
    RevisionOut,
    TableroOut,
    UsuarioDetailOut,
    UsuarioOut,
)

router = Router(tags=["Mesa de Servicio"])


def _case(request, numero: str) -> Caso:
    return guards.case_for(request.auth, numero)


def _admin_case(request, numero: str) -> Caso:
    return guards.case_to_correct(request.auth, numero)


def _desk_only(user) -> None:
    """Checked before the terms, whose refusal would reveal the desk's operations."""
    guards.require_desk(user)


desk_auth = authenticated(_desk_only, current_terms)


def _desk_case(request, numero: str) -> Caso:
    return guards.desk_case(request.auth, numero)


# --- Requesters -----------------------------------------------------------------------------------


@router.post("/casos", response={201: CasoOut}, auth=terms_auth, summary="Crear caso")
def caso_create(request, payload: CasoIn):
    """Any logged-in user asks a question ("Duda"); requests about an entity (activation, supplier
    profile) need one of its administrators and `entidad_id`. Any logged-in user may ask for a new
    Usuario Administrador of an active entity, named by `nit_entidad`."""
    entidad = None
    if payload.entidad_id is not None:
        entidad = guards.entity_for_case(request.auth, payload.entidad_id)
    data = services.case_initial(user=request.auth, entidad=entidad)
    data.update(payload.dict(exclude={"entidad_id"}, exclude_none=True))
    caso = services.caso_create(user=request.auth, data=data, entidad=entidad)
    return Status(201, caso)


@router.get("/casos", response=list[CasoOut], auth=terms_auth, summary="Mis casos")
def caso_list(request):
    return list(selectors.cases_of(user=request.auth).select_related("asignado_a"))


@router.get("/casos/{numero}", response=CasoDetailOut, auth=terms_auth, summary="Un caso, con sus mensajes y eventos")
def caso_detail(request, numero: str):
    return _case(request, numero)


@router.get("/casos/{numero}/mensajes", response=list[MensajeOut], auth=terms_auth, summary="Mensajes del caso")
def mensaje_list(request, numero: str):
    caso = _case(request, numero)
    return list(caso.mensajes.select_related("autor", "caso").prefetch_related("adjuntos"))


@router.post(
    "/casos/{numero}/mensajes", response={201: MensajeOut}, auth=terms_auth, summary="Responder (con un adjunto)"
)
def mensaje_create(request, numero: str, texto: Form[str], adjunto: File[UploadedFile] = None):
    """Multipart: `texto` and, optionally, the file `adjunto` (same rules as entity documents). The
    other side is told by e-mail."""
    caso = _case(request, numero)
    archivos = [adjunto] if adjunto is not None else []
    mensaje = services.mensaje_add(caso=caso, autor=request.auth, texto=texto, archivos=archivos)
    return Status(201, mensaje)


@router.get("/casos/{numero}/adjuntos/{adjunto_id}", auth=terms_auth, summary="Descargar un adjunto del caso")
def adjunto_download(request, numero: str, adjunto_id: Id):
    _case(request, numero)
    return guards.attachment_for(request.auth, adjunto_id, numero=numero).response()


@router.post(
    "/casos/{numero}/documentos",
    response={201: DocumentoOut},
    auth=terms_auth,
    summary="Reemplazar un documento de la Entidad (cuando la Mesa pide corrección)",
)
def documento_replace(request, numero: str, tipo: Form[str], archivo: File[UploadedFile]):
    """Multipart: `tipo` and the file `archivo`. The earlier version is kept."""
    caso = _admin_case(request, numero)
    documento = services.entidad_documento_replace(entidad=caso.entidad, tipo=tipo, uploaded=archivo, user=request.auth)
    return Status(201, documento)


@router.post(
    "/casos/{numero}/reenviar", response=CasoOut, auth=terms_auth, summary="Enviar de nuevo el registro corregido"
)
def reenviar(request, numero: str, payload: NotaIn):
    caso = _admin_case(request, numero)
    services.entidad_resubmit(entidad=caso.entidad, user=request.auth, nota=payload.nota)
    return selectors.case_by_number(numero=numero)


@router.patch(
    "/casos/{numero}/entidad",
    response=EntidadOut,
    auth=terms_auth,
    summary="Corregir los datos de la Entidad (cuando la Mesa pide corrección)",
)
def entidad_data_update(request, numero: str, payload: EntidadDatosIn):
    """Rule `can_correct`. Fields left out keep their value; the NIT cannot change. Invalid data
    is 400 `validation_error` with every field's errors in `detail.fields`, and changes nothing; an
    entity not in «Requiere corrección» is 409."""
    caso = _admin_case(request, numero)
    return services.entidad_data_update(
        entidad=caso.entidad, data=payload.dict(exclude_unset=True, exclude_none=True), user=request.auth
    )


# --- The desk -------------------------------------------------------------------------------------


class ColaParams(Schema):
    estado: Caso.Estado | Literal[""] = Field("", description="Vacío: todos los casos abiertos")
    asunto: Asunto | Literal[""] = ""


@router.get(
    "/mesa/casos", response=list[CasoColaOut], auth=desk_auth, summary="Mesa: cola de casos, los más antiguos primero"
)
@paginate(Pagination, page_size=50)
def cola(request, filtros: Query[ColaParams]):
    return selectors.queue(estado=filtros.estado, asunto=filtros.asunto)


@router.get(
    "/mesa/casos/{numero}/revision",
    response=RevisionCasoOut,
    auth=desk_auth,
    summary="Mesa: lista de verificación de los documentos y verificaciones automáticas",
)
def revision(request, numero: str):
    caso = _desk_case(request, numero)
    return {
        "caso": caso,
        "entidad": caso.entidad,
        "documentos": services.checklist(caso),
        "prechecks": [asdict(check) for check in prechecks_for(caso.entidad)] if caso.entidad_id else [],
    }


@router.post(
    "/mesa/casos/{numero}/documentos/{documento_id}/revision",
    response=RevisionOut,
    auth=desk_auth,
    summary="Mesa: aceptar o rechazar (con motivo) un documento",
)
def documento_review(request, numero: str, documento_id: Id, payload: RevisionIn):
    caso = _desk_case(request, numero)
    documento = guards.document_under_review(documento_id)
    return services.documento_review(
        caso=caso, documento=documento, decision=payload.decision, motivo=payload.motivo, staff=request.auth
    )


@router.post(
    "/mesa/casos/{numero}/acciones/{accion}",
    response=CasoOut,
    auth=desk_auth,
    summary="Mesa: decidir (tomar | corregir | activar | rechazar | proveedor | aplicar_cambio | resolver | cerrar)",
)
def decidir(request, numero: str, accion: str, payload: MotivoIn = None):
    """`motivo` is the reason (corregir, rechazar), the answer (resolver) or a note. A decision the
    case's state no longer allows is 409 `invalid_transition`. `activar` and `rechazar` are
    sensitive: without a recent proof of identity they are 401 `reauthentication_required` (see
    the API's description)."""
    caso = _desk_case(request, numero)
    action = actions.action_named(accion)
    reauthentication.require(request, action.sensitive)
    action.run(caso, request.auth, payload.motivo if payload is not None else "")
    return selectors.case_by_number(numero=numero)


@router.post(
    "/mesa/casos/{numero}/designar-administrador",
    response=MembresiaDesignadaOut,
    auth=desk_auth,
    summary="Mesa: designar un nuevo Usuario Administrador de la Entidad del caso",
)
def designar_administrador(request, numero: str, payload: DesignarAdministradorIn):
    """Rule `is_service_desk`. For a "Designación de un nuevo Usuario Administrador" case under
    review: `usuario` (username or e-mail of a registered, active user) becomes an active
    Administrador of the case's entity and the case is resolved. An unknown or inactive user is 400
    with `detail.fields.usuario`; another subject, or a case not under review, is 409. Sensitive:
    401 `reauthentication_required` without a recent proof of identity."""
    caso = _desk_case(request, numero)
    reauthentication.require(request, reauthentication.SensitiveAction.ADMINISTRADOR_DESIGNAR)
    membresia = services.caso_appoint_admin(
        caso=caso, staff=request.auth, usuario=payload.usuario, motivo=payload.motivo
    )
    return {
        "caso": selectors.case_by_number(numero=numero),
        "entidad_id": membresia.entidad_id,
        "usuario": membresia.usuario.username,
        "rol": membresia.rol,
        "activa": membresia.activa,
    }


@router.get("/mesa/tablero", response=TableroOut, auth=desk_auth, summary="Mesa: tablero de casos")
def tablero(request, days: int = Query(30, ge=1, le=366)):
    median = selectors.median_activation_time()
    return {
        "daily": selectors.daily_counts(days=days),
        "median_activation_seconds": median.total_seconds() if median is not None else None,
        "open_cases": selectors.queue().count(),
    }


# --- The desk: users ("Usuarios") -----------------------------------------------------------------


class UsuariosParams(Schema):
    q: str = Field("", max_length=254, description="Usuario, correo electrónico, número de documento o nombres")


@router.get(
    "/mesa/usuarios",
    response=list[UsuarioOut],
    auth=desk_auth,
    summary="Mesa: usuarios (buscar por usuario, correo, documento o nombres)",
)
@paginate(Pagination, page_size=50)
def usuarios(request, filtros: Query[UsuariosParams]):
    return selectors.users(query=filtros.q)


@router.get(
    "/mesa/usuarios/{usuario_id}",
    response=UsuarioDetailOut,
    auth=desk_auth,
    summary="Mesa: un usuario, con sus cuentas y su historial de accesos reciente",
)
def usuario_detail(request, usuario_id: Id):
    return guards.desk_user(request.auth, usuario_id)


@router.post(
    "/mesa/usuarios/{usuario_id}/cerrar-sesiones",
    response=SessionsEndedOut,
    auth=desk_auth,
    summary="Mesa: cerrar todas las sesiones de un usuario (incidente de seguridad), con el motivo",
)
def usuario_cerrar_sesiones(request, usuario_id: Id, payload: MotivoIn):
    """Rule `is_service_desk`. Every session of the user ends (browsers and API tokens); recorded
    in their access history with the reason and the desk member, and the user is e-mailed.
    `motivo` is required (400 `validation_error` with `detail.fields.motivo`, and nothing changes)."""
    usuario = guards.desk_user(request.auth, usuario_id)
    ended = services.usuario_sessions_end(
        usuario=usuario, staff=request.auth, motivo=payload.motivo, client=ClientInfo.from_request(request)
    )
    return {"ended": ended}


@router.post(
    "/mesa/usuarios/{usuario_id}/retirar-segundo-factor",
    response=UsuarioDetailOut,
    auth=desk_auth,
    summary="Mesa: retirar el segundo factor perdido de un usuario (con motivo)",
)
def usuario_retirar_segundo_factor(request, usuario_id: Id, payload: MotivoIn):
    """Rule `is_service_desk`. Deletes every authenticator of the user (app, keys, recovery codes),
    records `mfa_reset_by_desk` in their access history with the reason and the desk member, and
    e-mails them. No reason is 400 with `detail.fields.motivo`; a user without a second factor is
    409; the desk member's own is 400."""
    usuario = guards.desk_user(request.auth, usuario_id)
    mfa.second_factor_reset_by_desk(
        user=usuario, staff=request.auth, motivo=payload.motivo, client=ClientInfo.from_request(request)
    )
    return usuario


# --- The desk: accounts ("Cuentas") ----------------------------------------------------------------


class CuentasParams(Schema):
    q: str = Field("", max_length=255, description="Palabras del nombre, o el NIT (con o sin DV)")
    tipo: TipoCuenta | Literal[""] = ""
    estado: Entidad.Estado | Literal[""] = ""


@router.get(
    "/mesa/cuentas",
    response=list[CuentaOut],
    auth=desk_auth,
    summary="Mesa: cuentas de Entidades y Proveedores (buscar por nombre o NIT, filtrar por tipo y estado)",
)
@paginate(Pagination, page_size=50)
def cuentas(request, filtros: Query[CuentasParams]):
    return selectors.accounts(query=filtros.q, tipo=filtros.tipo, estado=filtros.estado)


@router.get(
    "/mesa/cuentas/{entidad_id}",
    response=CuentaDetailOut,
    auth=desk_auth,
    summary="Mesa: una cuenta, con sus usuarios, su suspensión y su historial",
)
def cuenta_detail(request, entidad_id: Id):
    return guards.desk_account(request.auth, entidad_id)


def _cuenta_accion(request, entidad_id: int, accion: str, motivo: str) -> Entidad:
    entidad = guards.desk_account(request.auth, entidad_id)
    action = actions.account_action_named(accion)
    reauthentication.require(request, action.sensitive)
    action.run(entidad, request.auth, motivo)
    return guards.desk_account(request.auth, entidad_id)


@router.post(
    "/mesa/cuentas/{entidad_id}/suspender",
    response=CuentaDetailOut,
    auth=desk_auth,
    summary="Mesa: suspender una cuenta activa, con el motivo",
)
def cuenta_suspender(request, entidad_id: Id, payload: MotivoIn):
    """Rule `is_service_desk`. `motivo` is required (400 `validation_error` with
    `detail.fields.motivo`, and nothing changes); an account that is not active is 409
    `invalid_transition`. Its users can no longer act for it; its notification address and its
    Administradores are e-mailed. Sensitive: 401 `reauthentication_required` without a recent
    proof of identity."""
    return _cuenta_accion(request, entidad_id, "suspender", payload.motivo)


@router.post(
    "/mesa/cuentas/{entidad_id}/reactivar",
    response=CuentaDetailOut,
    auth=desk_auth,
    summary="Mesa: reactivar una cuenta suspendida, con el motivo",
)
def cuenta_reactivar(request, entidad_id: Id, payload: MotivoIn):
    """Rule `is_service_desk`. `motivo` is required (400); an account that is not suspended is 409
    `invalid_transition`. Sensitive: 401 `reauthentication_required` without a recent proof of
    identity."""
    return _cuenta_accion(request, entidad_id, "reactivar", payload.motivo)
