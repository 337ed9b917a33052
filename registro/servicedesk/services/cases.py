"""Opening a case (R4.1, pre-filled from the profile and the entity) and its message thread."""

from contextlib import ExitStack

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode, refusal
from registro.core.files import check_uploaded_file
from registro.core.files.stored import stored
from registro.entities.account import workflow as entity_workflow
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.registration import rules
from registro.entities.registration import services as entity_services
from registro.servicedesk import permissions, workflow
from registro.servicedesk.models import (
    Adjunto,
    Asunto,
    Caso,
    EventoCaso,
    Mensaje,
    TipoSolicitud,
)
from registro.servicedesk.services import _common
from registro.servicedesk.services._common import MAX_TEXT, C, _desk_emails, _notify


def case_initial(*, user, entidad: Entidad | None) -> dict:
    """R4.1's pre-filled fields, from the user's profile and the entity."""
    return {
        "nombres": user.first_name,
        "apellidos": user.last_name,
        "numero_documento": user.document_number,
        "nombre_entidad": entidad.nombre if entidad else user.entity_name,
        "departamento": entidad.departamento.nombre if entidad and entidad.departamento_id else "",
        "municipio": entidad.municipio.nombre if entidad and entidad.municipio_id else "",
        "correo": user.email,
        "telefono": entidad.telefono if entidad else "",
        "celular": user.phone,
    }


def _check_case_rules(*, user, entidad: Entidad | None, tipo_solicitud: str, asunto: str) -> None:
    if tipo_solicitud == TipoSolicitud.DUDA:
        return  # any logged-in user can ask
    if asunto in (Asunto.REGISTRO_ENTIDAD, Asunto.PERFIL_PROVEEDOR):
        if entidad is None or not permissions.can_open_for(user, entidad):
            raise refusal(_("Su rol no le permite abrir casos a nombre de esta Entidad."), "asunto", status=403)
    if asunto == Asunto.REGISTRO_ENTIDAD and entidad.estado not in (
        Entidad.Estado.PENDIENTE,
        Entidad.Estado.REQUIERE_CORRECCION,
    ):
        raise refusal(_("La Entidad no está pendiente de activación."), "asunto")
    if asunto == Asunto.PERFIL_PROVEEDOR:
        if entidad.estado != Entidad.Estado.ACTIVA:
            raise refusal(_("El perfil de Proveedor se pide para una Entidad activa."), "asunto")
        if entidad.es_proveedor:
            raise refusal(_("La Entidad ya tiene habilitado el perfil de Proveedor."), "asunto")
    if entidad is not None and asunto in (Asunto.REGISTRO_ENTIDAD, Asunto.PERFIL_PROVEEDOR):
        open_case = Caso.objects.filter(entidad=entidad, asunto=asunto, estado__in=workflow.OPEN_STATES).first()
        if open_case:
            raise refusal(
                _("Ya hay un caso abierto para esta solicitud: %(numero)s.") % {"numero": open_case.numero}, "asunto"
            )
    if asunto == Asunto.NUEVO_ADMINISTRADOR:
        # Usually asked by someone who is not (yet) one of the entity's users: any logged-in user.
        if entidad is None:
            raise refusal(
                _("Escriba el NIT de la Entidad registrada que necesita un nuevo Usuario Administrador."), "nit_entidad"
            )
        if entidad.estado != Entidad.Estado.ACTIVA:
            raise refusal(
                _(
                    "La Entidad %(nombre)s está «%(estado)s»: se designa un nuevo Usuario Administrador solo en "
                    "Entidades activas."
                )
                % {"nombre": entidad.nombre, "estado": entidad.get_estado_display()},
                "nit_entidad",
            )
        open_case = Caso.objects.filter(
            entidad=entidad, asunto=asunto, solicitante=user, estado__in=workflow.OPEN_STATES
        ).first()
        if open_case:
            raise refusal(
                _("Ya hay un caso abierto para esta solicitud: %(numero)s.") % {"numero": open_case.numero}, "asunto"
            )


def _entidad_by_nit(raw: str) -> Entidad:
    """The registered entity a requester names by its NIT (with or without check digit)."""
    number, typed_dv = rules.split_nit(raw)
    entidad = Entidad.objects.filter(nit=number).first() if number.isdigit() else None
    if entidad is None:
        raise refusal(
            _("No hay una Entidad registrada con el NIT %(nit)s. Revise el número.") % {"nit": raw.strip()},
            "nit_entidad",
        )
    if typed_dv is not None and typed_dv != entidad.dv:
        raise refusal(
            _("El dígito de verificación de este NIT es %(dv)s, no %(typed)s.") % {"dv": entidad.dv, "typed": typed_dv},
            "nit_entidad",
        )
    return entidad


def caso_create(*, user, data: dict, entidad: Entidad | None = None) -> Caso:
    """ "Crear caso" (R4.1). `data` holds the form's fields; the requester's data is pre-filled
    from the profile and the entity, and may be corrected by the requester."""
    from registro.servicedesk.forms import CasoForm

    form = CasoForm(data)
    if not form.is_valid():
        raise ApplicationError(
            ErrorCode.VALIDATION, _("Revise los datos marcados."), {"fields": entity_services.form_errors(form)}
        )
    cleaned = dict(form.cleaned_data)
    nit_entidad = cleaned.pop("nit_entidad", "")
    with transaction.atomic():
        if (
            entidad is None
            and nit_entidad
            and cleaned["asunto"] == Asunto.NUEVO_ADMINISTRADOR
            and cleaned["tipo_solicitud"] == TipoSolicitud.SOLICITUD
        ):
            entidad = _entidad_by_nit(nit_entidad)
            cleaned["nombre_entidad"] = cleaned.get("nombre_entidad") or entidad.nombre
        if entidad is not None:
            entidad = Entidad.objects.select_for_update().get(pk=entidad.pk)
        _check_case_rules(
            user=user, entidad=entidad, tipo_solicitud=cleaned["tipo_solicitud"], asunto=cleaned["asunto"]
        )
        caso = _common._numbered(Caso.objects.create(solicitante=user, entidad=entidad, **cleaned))
        EventoCaso.objects.create(caso=caso, actor=user, tipo="abierto", estado_nuevo=caso.estado)
        if entidad is not None:
            entity_workflow.event_record(
                entidad=entidad, tipo=EventoEntidad.Tipo.CASO_ABIERTO, actor=user, detalle={"caso": caso.numero}
            )
        _notify(to=[user.email], template="caso_abierto_solicitante", caso=caso)
        _notify(to=[settings.SERVICE_DESK_EMAIL], template="caso_abierto_mesa", caso=caso)
    return caso


def mensaje_add(*, caso: Caso, autor, texto: str, archivos=()) -> Mensaje:
    """A message in the case's thread; every reply e-mails the other side. A requester's answer to
    a case waiting for them sends it back to review."""
    texto = (texto or "").strip()
    if not texto:
        raise refusal(_("Escriba el mensaje."), "texto")
    if len(texto) > MAX_TEXT:
        raise refusal(_("El mensaje no puede tener más de %(n)s caracteres.") % {"n": MAX_TEXT}, "texto")
    archivos = list(archivos)
    for uploaded in archivos:
        check_uploaded_file(uploaded)  # refuse before anything is stored
    de_la_mesa = permissions.is_service_desk(autor)
    with transaction.atomic():
        caso = _common._lock(caso)
        if caso.estado == C.CERRADO:
            raise refusal(_("El caso está cerrado; abra un caso nuevo."), status=409)
        mensaje = Mensaje.objects.create(caso=caso, autor=autor, texto=texto, de_la_mesa=de_la_mesa)
        with ExitStack() as keeping:  # all the files, or none of them
            for uploaded in archivos:
                keeping.enter_context(stored(Adjunto(mensaje=mensaje), uploaded)).save()
        if not de_la_mesa and caso.estado == C.ESPERANDO_SOLICITANTE:
            workflow.move(caso, C.EN_REVISION, actor=autor, tipo="respuesta_solicitante")
        else:
            EventoCaso.objects.create(caso=caso, actor=autor, tipo="mensaje")
        to = [caso.correo] if de_la_mesa else _desk_emails(caso)
        _notify(to=to, template="mensaje_nuevo", caso=caso, mensaje=mensaje)
    return mensaje
