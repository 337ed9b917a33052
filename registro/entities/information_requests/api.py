"""Information requests in the API, with the pages' rules: the entity's operations act for the
acting entity (`X-Entidad` or the chosen one) and need "Gestionar solicitudes de información";
the supplier's act for the acting supplier; answering needs "Responder invitaciones". Another
account's requests and invitations answer 404; downloads go through the pages' guards."""

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from registro.accounts.api_auth import terms_auth
from registro.core.api import Id
from registro.core.errors import refusal
from registro.entities.directory import forms as directory_forms
from registro.entities.information_requests import selectors, services
from registro.entities.information_requests.models import InvitacionSolicitud, SolicitudInformacion
from registro.entities.information_requests.schemas import (
    AmpliarIn,
    CancelarIn,
    EnvioOut,
    InvitarIn,
    RecibidaOut,
    RespuestaOut,
    SolicitudItemOut,
    SolicitudOut,
)
from registro.entities.membership import acting
from registro.entities.membership.catalogue import Permiso

router = Router(tags=["Solicitudes de información"])
GESTIONAR = Permiso.GESTIONAR_SOLICITUDES_INFORMACION
RESPONDER = Permiso.RESPONDER_INVITACIONES


def _entity(request) -> acting.Acting:
    return selectors.require_applicable(acting.resolve(request), GESTIONAR)


def _supplier(request, permiso: Permiso | None = None) -> acting.Acting:
    current = selectors.require_kind(acting.resolve(request), RESPONDER)
    return current.require(permiso) if permiso else current


def _adjuntos(rows) -> list[dict]:
    return [
        {"id": a.pk, "nombre_original": a.nombre_original, "tamano": a.tamano, "content_type": a.content_type}
        for a in rows
    ]


def _solicitud_out(solicitud: SolicitudInformacion) -> dict:
    resumen = selectors.resumen(solicitud)
    return {
        "id": solicitud.pk,
        "titulo": solicitud.titulo,
        "descripcion": solicitud.descripcion,
        "codigos": list(solicitud.codigos_solicitud.values_list("codigo_id", flat=True)),
        "plazo": solicitud.plazo,
        "estado": resumen["estado"],
        "motivo_cancelacion": solicitud.motivo_cancelacion,
        "invitados": resumen["invitados"],
        "respondidas": resumen["respondidas"],
        "no_interesado": resumen["no_interesado"],
        "adjuntos": _adjuntos(solicitud.adjuntos.all()),
        "envios": resumen["envios"],
        "created_at": solicitud.created_at,
    }


class ListParams(Schema):
    limite: int = Field(50, ge=1, le=200)
    antes_de: Id | None = Field(None, description="Las solicitudes anteriores a esta (paginación por cursor)")


@router.get(
    "/entidad/solicitudes-informacion",
    response=list[SolicitudItemOut],
    auth=terms_auth,
    summary="Solicitudes de información de la Entidad",
)
def solicitudes_informacion(request, params: Query[ListParams]):
    current = _entity(request)
    qs = selectors.solicitudes_of(current.entidad).order_by("-id")
    if params.antes_de:
        qs = qs.filter(pk__lt=params.antes_de)
    now = timezone.now()
    return [
        {
            "id": s.pk,
            "titulo": s.titulo,
            "plazo": s.plazo,
            "estado": services.estado_efectivo(s, now),
            "invitados": s.n_invitados,
            "respondidas": s.n_respondidas,
            "no_interesado": s.n_no_interesado,
        }
        for s in qs[: params.limite]
    ]


@router.post(
    "/entidad/solicitudes-informacion",
    response={201: SolicitudOut},
    auth=terms_auth,
    summary="Crear una solicitud de información (multipart: campos y anexos)",
)
def solicitud_informacion_create(
    request,
    titulo: Form[str],
    descripcion: Form[str],
    plazo: Form[str],
    codigos: Form[list[str]],
    archivos: File[list[UploadedFile]] = None,
):
    current = _entity(request)
    solicitud = services.solicitud_create(
        entidad=current.entidad,
        actor=request.auth,
        titulo=titulo,
        descripcion=descripcion,
        codigos=codigos,
        plazo=_parse_plazo(plazo),
        archivos=archivos or [],
    )
    return Status(201, _solicitud_out(solicitud))


def _parse_plazo(value: str):
    from django.utils.dateparse import parse_datetime

    from registro.core.errors import refusal

    try:
        parsed = parse_datetime((value or "").strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise refusal("Indique la fecha y hora límite en formato ISO 8601 (AAAA-MM-DDTHH:MM, hora de Bogotá).", "plazo")
    return parsed


@router.get(
    "/entidad/solicitudes-informacion/{solicitud_id}",
    response=SolicitudOut,
    auth=terms_auth,
    summary="Una solicitud: conteos, plazo, avance de las invitaciones",
)
def solicitud_informacion_detail(request, solicitud_id: Id):
    return _solicitud_out(selectors.solicitud_for(_entity(request), solicitud_id))


@router.post(
    "/entidad/solicitudes-informacion/{solicitud_id}/invitaciones",
    response={202: EnvioOut},
    auth=terms_auth,
    summary="Invitar Proveedores (automática o por cuentas), en segundo plano",
)
def solicitud_informacion_invitar(request, solicitud_id: Id, payload: InvitarIn):
    current = _entity(request)
    solicitud = selectors.solicitud_for(current, solicitud_id)
    if payload.automatica:
        envio = services.invitar_automatico(solicitud=solicitud, actor=request.auth)
    elif payload.directorio is not None:
        if payload.cuentas:
            raise refusal(_("Envíe `cuentas` o `directorio`, no ambos."), "directorio", status=422)
        filtros = directory_forms.filtros_from(payload.directorio.dict(exclude={"cursor"}))
        envio, more = services.invitar_resultados(solicitud=solicitud, actor=request.auth, filtros=filtros)
        envio.refresh_from_db()
        envio.excedio_tope = more
        return Status(202, envio)
    else:
        envio = services.invitar_manual(solicitud=solicitud, actor=request.auth, cuentas=payload.cuentas)
    envio.refresh_from_db()
    return Status(202, envio)


@router.get(
    "/entidad/solicitudes-informacion/{solicitud_id}/invitaciones",
    response=list[RespuestaOut],
    auth=terms_auth,
    summary="Invitados, sus respuestas y anexos",
)
def solicitud_informacion_invitaciones(request, solicitud_id: Id, params: Query[ListParams]):
    solicitud = selectors.solicitud_for(_entity(request), solicitud_id)
    qs = selectors.invitaciones_of(solicitud).prefetch_related("adjuntos").order_by("-id")
    if params.antes_de:
        qs = qs.filter(pk__lt=params.antes_de)
    return [_respuesta_out(i) for i in qs[: params.limite]]


def _respuesta_out(i: InvitacionSolicitud) -> dict:
    return {
        "id": i.pk,
        "proveedor": {"id": i.proveedor_id, "nombre": i.proveedor.nombre, "nit_con_dv": i.proveedor.nit_con_dv},
        "origen": i.origen,
        "estado": i.estado,
        "mensaje": i.mensaje,
        "respondida_at": i.respondida_at,
        "adjuntos": _adjuntos(i.adjuntos.all()),
    }


@router.post(
    "/entidad/solicitudes-informacion/{solicitud_id}/ampliar",
    response=SolicitudOut,
    auth=terms_auth,
    summary="Ampliar el plazo (avisa a los invitados)",
)
def solicitud_informacion_ampliar(request, solicitud_id: Id, payload: AmpliarIn):
    current = _entity(request)
    solicitud = services.solicitud_extend(
        solicitud=selectors.solicitud_for(current, solicitud_id), actor=request.auth, plazo=payload.plazo
    )
    return _solicitud_out(selectors.solicitud_for(current, solicitud.pk))


@router.post(
    "/entidad/solicitudes-informacion/{solicitud_id}/cancelar",
    response=SolicitudOut,
    auth=terms_auth,
    summary="Cancelar la solicitud, con el motivo (avisa a los invitados)",
)
def solicitud_informacion_cancelar(request, solicitud_id: Id, payload: CancelarIn):
    current = _entity(request)
    services.solicitud_cancel(
        solicitud=selectors.solicitud_for(current, solicitud_id), actor=request.auth, motivo=payload.motivo
    )
    return _solicitud_out(selectors.solicitud_for(current, solicitud_id))


def _recibida_out(i: InvitacionSolicitud) -> dict:
    s = i.solicitud
    return {
        "id": i.pk,
        "solicitud_id": s.pk,
        "titulo": s.titulo,
        "descripcion": s.descripcion,
        "entidad": {"id": s.entidad_id, "nombre": s.entidad.nombre, "nit_con_dv": s.entidad.nit_con_dv},
        "plazo": s.plazo,
        "estado_solicitud": services.estado_efectivo(s),
        "estado": i.estado,
        "mensaje": i.mensaje,
        "respondida_at": i.respondida_at,
        "adjuntos_solicitud": _adjuntos(s.adjuntos.all()),
        "adjuntos": _adjuntos(i.adjuntos.all()),
    }


@router.get(
    "/proveedor/invitaciones",
    response=list[RecibidaOut],
    auth=terms_auth,
    summary="Invitaciones recibidas por la cuenta de Proveedor",
)
def invitaciones_recibidas(request, params: Query[ListParams]):
    current = _supplier(request)
    qs = selectors.recibidas(current.entidad).prefetch_related("adjuntos", "solicitud__adjuntos").order_by("-id")
    if params.antes_de:
        qs = qs.filter(pk__lt=params.antes_de)
    return [_recibida_out(i) for i in qs[: params.limite]]


@router.get(
    "/proveedor/invitaciones/{solicitud_id}",
    response=RecibidaOut,
    auth=terms_auth,
    summary="Una invitación recibida (por el número de la solicitud)",
)
def invitacion_recibida(request, solicitud_id: Id):
    return _recibida_out(selectors.recibida_for(_supplier(request), solicitud_id))


@router.post(
    "/proveedor/invitaciones/{solicitud_id}/respuesta",
    response=RecibidaOut,
    auth=terms_auth,
    summary="Responder, con mensaje y anexos, antes del plazo",
)
def invitacion_responder(request, solicitud_id: Id, mensaje: Form[str], archivos: File[list[UploadedFile]] = None):
    current = _supplier(request, RESPONDER)
    invitacion = selectors.recibida_for(current, solicitud_id)
    services.respuesta_send(invitacion=invitacion, actor=request.auth, mensaje=mensaje, archivos=archivos or [])
    return _recibida_out(selectors.recibida_for(current, solicitud_id))


@router.post(
    "/proveedor/invitaciones/{solicitud_id}/no-interesado",
    response=RecibidaOut,
    auth=terms_auth,
    summary="Marcar «No interesado»",
)
def invitacion_no_interesado(request, solicitud_id: Id):
    current = _supplier(request, RESPONDER)
    services.no_interesado(invitacion=selectors.recibida_for(current, solicitud_id), actor=request.auth)
    return _recibida_out(selectors.recibida_for(current, solicitud_id))


@router.get(
    "/solicitudes-informacion/adjuntos/{adjunto_id}",
    auth=terms_auth,
    summary="Descargar un anexo de una solicitud (la Entidad y los invitados)",
)
def solicitud_informacion_adjunto(request, adjunto_id: Id):
    return selectors.adjunto_solicitud_for(request.auth, adjunto_id).response()


@router.get(
    "/solicitudes-informacion/respuestas/adjuntos/{adjunto_id}",
    auth=terms_auth,
    summary="Descargar un anexo de una respuesta (la Entidad y el Proveedor que respondió)",
)
def respuesta_adjunto(request, adjunto_id: Id):
    return selectors.adjunto_respuesta_for(request.auth, adjunto_id).response()
