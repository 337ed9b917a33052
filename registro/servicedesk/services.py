"""Writes of the Mesa de Servicio (R4): cases, messages, document review and the decisions on an
entity's activation. Each one locks what it changes, follows the transition tables, records the
events in the same transaction and queues its e-mails after commit."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registro.accounts.selectors import user_get_by_login
from registro.core.errors import ApplicationError, ErrorCode
from registro.core.files import check_uploaded_file
from registro.entities.account import workflow as entity_workflow
from registro.entities.account.models import AreaNegocio, Entidad, EventoEntidad, TipoOrganizacion
from registro.entities.membership.models import Membresia
from registro.entities.registration import rules
from registro.entities.registration import services as entity_services
from registro.entities.registration.models import Documento
from registro.notifications.services import email_queue_template

from . import permissions, workflow
from .forms import CLASIFICACIONES, EntidadDatosForm
from .models import (
    SERVICE_DESK_GROUP,
    Adjunto,
    Asunto,
    Caso,
    EventoCaso,
    Mensaje,
    RevisionDocumento,
    TipoSolicitud,
)

C = Caso.Estado
MAX_TEXT = 5000


def _error(message: str, field: str | None = None, status: int = 400) -> ApplicationError:
    detail = {"fields": {field: [message]}} if field else {}
    return ApplicationError(ErrorCode.VALIDATION, message, detail, status=status)


def _admin_emails(entidad: Entidad) -> list[str]:
    return list(
        Membresia.objects.filter(entidad=entidad, activa=True, rol=Membresia.Rol.ADMINISTRADOR).values_list(
            "usuario__email", flat=True
        )
    )


def _desk_emails(caso: Caso) -> list[str]:
    if caso.asignado_a_id and caso.asignado_a.email:
        return [caso.asignado_a.email]
    return [settings.SERVICE_DESK_EMAIL]


def _notify(*, to: list[str], template: str, caso: Caso, **extra) -> None:
    context = {"caso": caso, "site_url": settings.SITE_URL, **extra}
    recipients = sorted({address for address in to if address})
    if recipients:
        email_queue_template(to=recipients, template=f"servicedesk/email/{template}", context=context)


def _lock(caso: Caso) -> Caso:
    # of=("self",): the joins to nullable foreign keys are outer joins, which PostgreSQL cannot lock.
    return (
        Caso.objects.select_for_update(of=("self",))
        .select_related("entidad", "solicitante", "asignado_a")
        .get(pk=caso.pk)
    )


# --- Staff ------------------------------------------------------------------------------------


@transaction.atomic
def staff_create(*, username: str, email: str, first_name: str, last_name: str, password: str | None):
    """A Mesa de Servicio member: a role outside any entity (group "Mesa de Servicio")."""
    from registro.accounts.models import TermsAcceptance

    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise _error(_("Ya existe un usuario con ese nombre."), "username")
    user = User(username=username, email=email, first_name=first_name, last_name=last_name, is_staff=True)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    TermsAcceptance.objects.create(user=user, version=settings.TERMS_VERSION)
    group, _created = Group.objects.get_or_create(name=SERVICE_DESK_GROUP)
    user.groups.add(group)
    return user


# --- Cases ------------------------------------------------------------------------------------


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
            raise _error(_("Su rol no le permite abrir casos a nombre de esta Entidad."), "asunto", 403)
    if asunto == Asunto.REGISTRO_ENTIDAD and entidad.estado not in (
        Entidad.Estado.PENDIENTE,
        Entidad.Estado.REQUIERE_CORRECCION,
    ):
        raise _error(_("La Entidad no está pendiente de activación."), "asunto")
    if asunto == Asunto.PERFIL_PROVEEDOR:
        if entidad.estado != Entidad.Estado.ACTIVA:
            raise _error(_("El perfil de Proveedor se pide para una Entidad activa."), "asunto")
        if entidad.es_proveedor:
            raise _error(_("La Entidad ya tiene habilitado el perfil de Proveedor."), "asunto")
    if entidad is not None and asunto in (Asunto.REGISTRO_ENTIDAD, Asunto.PERFIL_PROVEEDOR):
        open_case = Caso.objects.filter(entidad=entidad, asunto=asunto, estado__in=workflow.OPEN_STATES).first()
        if open_case:
            raise _error(
                _("Ya hay un caso abierto para esta solicitud: %(numero)s.") % {"numero": open_case.numero}, "asunto"
            )
    if asunto == Asunto.NUEVO_ADMINISTRADOR:
        # Usually asked by someone who is not (yet) one of the entity's users: any logged-in user.
        if entidad is None:
            raise _error(
                _("Escriba el NIT de la Entidad registrada que necesita un nuevo Usuario Administrador."),
                "nit_entidad",
            )
        if entidad.estado != Entidad.Estado.ACTIVA:
            raise _error(
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
            raise _error(
                _("Ya hay un caso abierto para esta solicitud: %(numero)s.") % {"numero": open_case.numero}, "asunto"
            )


def _entidad_by_nit(raw: str) -> Entidad:
    """The registered entity a requester names by its NIT (with or without check digit)."""
    number, typed_dv = rules.split_nit(raw)
    entidad = Entidad.objects.filter(nit=number).first() if number.isdigit() else None
    if entidad is None:
        raise _error(
            _("No hay una Entidad registrada con el NIT %(nit)s. Revise el número.") % {"nit": raw.strip()},
            "nit_entidad",
        )
    if typed_dv is not None and typed_dv != entidad.dv:
        raise _error(
            _("El dígito de verificación de este NIT es %(dv)s, no %(typed)s.") % {"dv": entidad.dv, "typed": typed_dv},
            "nit_entidad",
        )
    return entidad


def caso_create(*, user, data: dict, entidad: Entidad | None = None) -> Caso:
    """ "Crear caso" (R4.1). `data` holds the form's fields; the requester's data is pre-filled
    from the profile and the entity, and may be corrected by the requester."""
    from .forms import CasoForm

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
        caso = Caso.objects.create(solicitante=user, entidad=entidad, **cleaned)
        caso.numero = f"CASO-{caso.created_at:%Y}-{caso.pk:06d}"
        caso.save(update_fields=["numero"])
        EventoCaso.objects.create(caso=caso, actor=user, tipo="abierto", estado_nuevo=caso.estado)
        if entidad is not None:
            entity_workflow.event_record(
                entidad=entidad, tipo=EventoEntidad.Tipo.CASO_ABIERTO, actor=user, detalle={"caso": caso.numero}
            )
        _notify(to=[user.email], template="caso_abierto_solicitante", caso=caso)
        _notify(to=[settings.SERVICE_DESK_EMAIL], template="caso_abierto_mesa", caso=caso)
    return caso


def _store_attachments(mensaje: Mensaje, archivos) -> list[Adjunto]:
    stored = []
    for uploaded in archivos:
        checked = check_uploaded_file(uploaded)
        adjunto = Adjunto(
            mensaje=mensaje,
            nombre_original=checked.name,
            tamano=checked.size,
            sha256=checked.sha256,
            content_type=checked.content_type,
            subido_en=timezone.now(),
        )
        adjunto.archivo.save(checked.name, uploaded, save=False)
        stored.append(adjunto)
    return stored


def mensaje_add(*, caso: Caso, autor, texto: str, archivos=()) -> Mensaje:
    """A message in the case's thread; every reply e-mails the other side. A requester's answer to
    a case waiting for them sends it back to review."""
    texto = (texto or "").strip()
    if not texto:
        raise _error(_("Escriba el mensaje."), "texto")
    if len(texto) > MAX_TEXT:
        raise _error(_("El mensaje no puede tener más de %(n)s caracteres.") % {"n": MAX_TEXT}, "texto")
    archivos = list(archivos)
    for uploaded in archivos:
        check_uploaded_file(uploaded)  # refuse before anything is stored
    de_la_mesa = permissions.is_service_desk(autor)
    with transaction.atomic():
        caso = _lock(caso)
        if caso.estado == C.CERRADO:
            raise _error(_("El caso está cerrado; abra un caso nuevo."), status=409)
        mensaje = Mensaje.objects.create(caso=caso, autor=autor, texto=texto, de_la_mesa=de_la_mesa)
        adjuntos = _store_attachments(mensaje, archivos)
        try:
            for adjunto in adjuntos:
                adjunto.save()
        except Exception:
            for adjunto in adjuntos:
                adjunto.archivo.storage.delete(adjunto.archivo.name)
            raise
        if not de_la_mesa and caso.estado == C.ESPERANDO_SOLICITANTE:
            workflow.move(caso, C.EN_REVISION, actor=autor, tipo="respuesta_solicitante")
            caso.save(update_fields=["estado", "updated_at"])
        else:
            EventoCaso.objects.create(caso=caso, actor=autor, tipo="mensaje")
        to = [caso.correo] if de_la_mesa else _desk_emails(caso)
        _notify(to=to, template="mensaje_nuevo", caso=caso, mensaje=mensaje)
    return mensaje


def caso_take(*, caso: Caso, staff) -> Caso:
    """The desk starts reviewing an open case and takes it."""
    with transaction.atomic():
        caso = _lock(caso)
        workflow.require(caso, C.ABIERTO)  # a case waiting for the requester goes back on their answer
        workflow.move(caso, C.EN_REVISION, actor=staff, tipo="revision_iniciada")
        caso.asignado_a = staff
        caso.save(update_fields=["estado", "asignado_a", "updated_at"])
        if caso.entidad_id:
            entity_workflow.event_record(
                entidad=caso.entidad,
                tipo=EventoEntidad.Tipo.REVISION_INICIADA,
                actor=staff,
                detalle={"caso": caso.numero},
            )
    return caso


def _activation_case(caso: Caso) -> Entidad:
    if caso.asunto != Asunto.REGISTRO_ENTIDAD or caso.entidad_id is None:
        raise _error(_("Esta acción es para casos de activación de una Entidad."), status=409)
    return caso.entidad


def documento_review(*, caso: Caso, documento: Documento, decision: str, motivo: str, staff) -> RevisionDocumento:
    """One line of the review checklist: accepted, or rejected with a reason."""
    motivo = (motivo or "").strip()
    if decision not in RevisionDocumento.Decision.values:
        raise _error(_("Elija «Aceptado» o «Rechazado»."), "decision")
    if decision == RevisionDocumento.Decision.RECHAZADO and not motivo:
        raise _error(_("Escriba el motivo del rechazo del documento."), "motivo")
    with transaction.atomic():
        caso = _lock(caso)
        entidad = _activation_case(caso)
        workflow.require(caso, C.EN_REVISION)
        if documento.entidad_id != entidad.pk or not documento.vigente:
            raise _error(_("Ese documento no es un documento vigente de esta Entidad."), status=404)
        revision, _created = RevisionDocumento.objects.update_or_create(
            caso=caso, documento=documento, defaults={"decision": decision, "motivo": motivo, "revisor": staff}
        )
        entity_workflow.event_record(
            entidad=entidad,
            tipo=EventoEntidad.Tipo.DOCUMENTO_REVISADO,
            actor=staff,
            motivo=motivo,
            detalle={
                "caso": caso.numero,
                "documento": documento.get_tipo_display(),
                "version": documento.version,
                "decision": decision,
            },
        )
    return revision


def checklist(caso: Caso) -> list[dict]:
    """The entity's current documents with this case's decision on each."""
    if caso.entidad_id is None:
        return []
    revisiones = {r.documento_id: r for r in caso.revisiones.all()}
    documentos = caso.entidad.documentos.filter(vigente=True).order_by("tipo")
    return [{"documento": d, "revision": revisiones.get(d.pk)} for d in documentos]


def caso_request_corrections(*, caso: Caso, staff, motivo: str) -> Caso:
    """ "Requiere corrección": the administrators get the reasons by e-mail."""
    motivo = (motivo or "").strip()
    if not motivo:
        raise _error(_("Escriba qué debe corregirse."), "motivo")
    with transaction.atomic():
        caso = _lock(caso)
        entidad = _activation_case(caso)
        workflow.move(caso, C.ESPERANDO_SOLICITANTE, actor=staff, tipo="correccion_solicitada", motivo=motivo)
        caso.save(update_fields=["estado", "updated_at"])
        rechazados = [
            {"documento": r.documento.get_tipo_display(), "motivo": r.motivo}
            for r in caso.revisiones.select_related("documento").filter(decision=RevisionDocumento.Decision.RECHAZADO)
        ]
        entidad = entity_workflow.entidad_transition(
            entidad=entidad,
            to=Entidad.Estado.REQUIERE_CORRECCION,
            actor=staff,
            motivo=motivo,
            detalle={"caso": caso.numero, "documentos_rechazados": rechazados},
        )
        Mensaje.objects.create(caso=caso, autor=staff, texto=motivo, de_la_mesa=True)
        _notify(
            to=_admin_emails(entidad),
            template="correccion_solicitada",
            caso=caso,
            entidad=entidad,
            motivo=motivo,
            rechazados=rechazados,
        )
    return caso


def entidad_documento_replace(*, entidad: Entidad, tipo: str, uploaded, user) -> Documento:
    """An administrator replaces a document while the entity requires corrections; the earlier
    version is kept."""
    with entity_services.documento_stored(tipo=tipo, uploaded=uploaded, user=user) as documento, transaction.atomic():
        locked = Entidad.objects.select_for_update().get(pk=entidad.pk)
        if locked.estado != Entidad.Estado.REQUIERE_CORRECCION:
            raise _error(_("Los documentos se reemplazan cuando la Mesa de Servicio pide corrección."), status=409)
        documento.entidad = locked
        entity_services.documento_make_current(documento=documento, siblings=locked.documentos)
        entity_workflow.event_record(
            entidad=locked,
            tipo=EventoEntidad.Tipo.DOCUMENTO_REEMPLAZADO,
            actor=user,
            detalle={"documento": documento.get_tipo_display(), "version": documento.version},
        )
    return documento


ENTIDAD_DATOS_FIELDS = tuple(EntidadDatosForm.base_fields)
# The entity's own columns the correction form sets (the certificate's date is its document's).
_SIMPLE_FIELDS = (
    "nombre",
    "nombre_abreviado",
    "registrada_siif",
    "codigo_pci",
    "area_negocio",
    "tipo_organizacion",
    "telefono",
    "correo_notificaciones",
    "ordenador_delegado",
)
_RELATED_FIELDS = (*CLASIFICACIONES, "entidad_superior", "departamento", "municipio")


def _si_no(value: bool) -> str:
    return "si" if value else "no"


def _certificado(entidad: Entidad) -> Documento | None:
    return entidad.documentos.filter(tipo=Documento.Tipo.CERTIFICADO_EXISTENCIA, vigente=True).first()


def entidad_datos_initial(entidad: Entidad) -> dict[str, str]:
    """The entity's current data as the correction form's values (what the form would post)."""
    superior = entidad.entidad_superior
    certificado = _certificado(entidad)
    fecha = certificado.fecha_expedicion if certificado else None
    return {
        "registrada_siif": _si_no(entidad.registrada_siif),
        "codigo_pci": entidad.codigo_pci,
        "area_negocio": entidad.area_negocio,
        "tipo_organizacion": entidad.tipo_organizacion,
        "nombre": entidad.nombre,
        "nombre_abreviado": entidad.nombre_abreviado,
        "nit": entidad.nit,
        **{name: str(getattr(entidad, f"{name}_id") or "") for name in CLASIFICACIONES},
        "entidad_superior_nombre": superior.nombre if superior else "",
        "entidad_superior_nit": superior.nit if superior else "",
        "departamento": entidad.departamento_id or "",
        "municipio": entidad.municipio_id or "",
        "telefono": entidad.telefono,
        "correo_notificaciones": entidad.correo_notificaciones,
        "ordenador_delegado": _si_no(entidad.ordenador_delegado),
        "certificado_fecha_expedicion": fecha.isoformat() if fecha else "",
    }


_CHOICES = {"area_negocio": dict(AreaNegocio.choices), "tipo_organizacion": dict(TipoOrganizacion.choices)}


def _as_text(value, name: str = "") -> str:
    """How a value is shown in the entity's history."""
    if name in _CHOICES:
        return str(_CHOICES[name].get(value, value))
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("Sí") if value else _("No"))
    if isinstance(value, Entidad):
        return f"{value.nombre} (NIT {value.nit_con_dv})"
    if hasattr(value, "valor"):  # a classification value
        return value.valor
    if hasattr(value, "nombre"):  # department, municipality
        return value.nombre
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _nit_error(entidad: Entidad, data: dict) -> list[str]:
    typed = (data.get("nit") or "").strip()
    if not typed:
        return []
    number, dv = rules.split_nit(typed)
    if number == entidad.nit and dv in (None, entidad.dv):
        return []
    return [
        _(
            "El NIT de la Entidad (%(nit)s) no se puede cambiar. Si el NIT registrado está errado, escríbalo a la "
            "Mesa de Servicio en el caso."
        )
        % {"nit": entidad.nit_con_dv}
    ]


def entidad_datos_merged(entidad: Entidad, data) -> dict[str, str]:
    """What is sent over the current data: a field left out keeps its value (the API's PATCH)."""
    sent = {name: data.get(name) for name in ENTIDAD_DATOS_FIELDS if data.get(name) is not None}
    if "entidad_superior_nit" in sent or "entidad_superior_nombre" in sent:
        # The entity it depends on is one choice: its NIT, with the name the search showed.
        superior_nit = sent.get("entidad_superior_nit", "")
        sent["entidad_superior_nit"] = superior_nit
        sent.setdefault("entidad_superior_nombre", superior_nit)
    return {**entidad_datos_initial(entidad), **{k: str(v) for k, v in sent.items()}}


def entidad_data_update(*, entidad: Entidad, data, user) -> Entidad:
    """ "Corregir datos de la Entidad": while the desk asks for corrections, an administrator fixes
    the entity's data under the registration's rules (the NIT is fixed). Fields left out keep their
    value. All or nothing: any error changes nothing and lists every field to fix. The event lists
    the changed fields with their old and new values."""
    with transaction.atomic():
        locked = Entidad.objects.select_for_update().get(pk=entidad.pk)
        if not permissions.can_correct(user, locked):
            raise ApplicationError(
                ErrorCode.PERMISSION_DENIED,
                _("Su rol no le permite corregir los datos de esta Entidad."),
                status=403,
            )
        if locked.estado != Entidad.Estado.REQUIERE_CORRECCION:
            raise ApplicationError(
                ErrorCode.CONFLICT,
                _(
                    "Los datos de la Entidad se corrigen cuando la Mesa de Servicio pide corrección; ahora está "
                    "«%(estado)s»."
                )
                % {"estado": locked.get_estado_display()},
                {"estado": locked.estado},
                status=409,
            )
        form = EntidadDatosForm(entidad_datos_merged(locked, data), entidad=locked)
        errors = {} if form.is_valid() else entity_services.form_errors(form)
        if nit_error := _nit_error(locked, data):
            errors["nit"] = nit_error
        cleaned = form.cleaned_data if not errors else {}
        certificado = _certificado(locked)
        fecha = cleaned.get("certificado_fecha_expedicion")
        if fecha and certificado is None:
            errors["certificado_fecha_expedicion"] = [
                _(
                    "Anexe primero el certificado de existencia y representación legal (en «Corregir y enviar de "
                    "nuevo»); luego escriba aquí su fecha de expedición."
                )
            ]
        if errors:
            raise ApplicationError(ErrorCode.VALIDATION, _("Revise los datos marcados."), {"fields": errors})

        new_values = {
            **{name: cleaned[name] for name in _SIMPLE_FIELDS},
            **{name: cleaned[name] for name in _RELATED_FIELDS},
        }
        new_values["registrada_siif"] = cleaned["registrada_siif"] == "si"
        new_values["ordenador_delegado"] = cleaned["ordenador_delegado"] == "si"
        cambios: dict[str, dict[str, str]] = {}
        changed_columns = []
        for name, value in new_values.items():
            column = f"{name}_id" if name in _RELATED_FIELDS else name
            new_key = value.pk if name in _RELATED_FIELDS and value is not None else value
            if getattr(locked, column) == new_key:
                continue
            cambios[name] = {"antes": _as_text(getattr(locked, name), name), "despues": _as_text(value, name)}
            setattr(locked, name, value)
            changed_columns.append(name)
        if fecha and certificado.fecha_expedicion != fecha:
            cambios["certificado_fecha_expedicion"] = {
                "antes": _as_text(certificado.fecha_expedicion),
                "despues": _as_text(fecha),
            }
            certificado.fecha_expedicion = fecha
            certificado.save(update_fields=["fecha_expedicion"])
        if not cambios:
            return locked
        if changed_columns:
            if "nombre" in changed_columns:
                changed_columns.append("nombre_busqueda")
            locked.save(update_fields=changed_columns)
        detalle = {"campos": list(cambios), "cambios": cambios}
        caso = Caso.objects.filter(
            entidad=locked, asunto=Asunto.REGISTRO_ENTIDAD, estado__in=workflow.OPEN_STATES
        ).first()
        if caso is not None:
            detalle["caso"] = caso.numero
        entity_workflow.event_record(
            entidad=locked, tipo=EventoEntidad.Tipo.DATOS_CORREGIDOS, actor=user, detalle=detalle
        )
    return locked


def documentos_faltantes(entidad: Entidad) -> list[str]:
    """The mandatory documents (for the entity's current data) it has no current version of."""
    return entity_services.documentos_faltantes(
        entidad.documentos, ordenador_delegado=entidad.ordenador_delegado, area_negocio=entidad.area_negocio
    )


def entidad_resubmit(*, entidad: Entidad, user, nota: str = "") -> Entidad:
    """The administrators send the corrected registration back to the desk, with every document
    its (possibly corrected) data asks for."""
    with transaction.atomic():
        entidad = entity_workflow.entidad_transition(
            entidad=entidad, to=Entidad.Estado.PENDIENTE, actor=user, motivo=(nota or "").strip()
        )
        if faltantes := documentos_faltantes(entidad):
            # The corrected data may ask for other documents (a delegation, "Público y Privado").
            etiquetas = dict(Documento.Tipo.choices)
            labels = [str(etiquetas[t]) for t in faltantes]
            raise ApplicationError(
                ErrorCode.VALIDATION,
                _("Antes de enviar de nuevo el registro, anexe: %(docs)s.") % {"docs": ", ".join(labels)},
                {"missing_documents": faltantes, "missing_labels": labels},
            )
        caso = (
            Caso.objects.select_for_update()
            .filter(entidad=entidad, asunto=Asunto.REGISTRO_ENTIDAD, estado=C.ESPERANDO_SOLICITANTE)
            .first()
        )
        if caso is not None:
            workflow.move(caso, C.EN_REVISION, actor=user, tipo="reenviada", motivo=nota or "")
            caso.save(update_fields=["estado", "updated_at"])
            Mensaje.objects.create(
                caso=caso, autor=user, texto=nota or _("Corregimos lo solicitado y enviamos de nuevo el registro.")
            )
            _notify(to=_desk_emails(caso), template="reenviada", caso=caso, entidad=entidad)
    return entidad


def caso_activate(*, caso: Caso, staff, motivo: str = "") -> Caso:
    """ "Activar" (R4.2): every current document accepted; the notification address and the
    administrators are told the account can be used."""
    with transaction.atomic():
        caso = _lock(caso)
        entidad = _activation_case(caso)
        workflow.check(caso, C.RESUELTO)
        pendientes = [
            item["documento"].get_tipo_display()
            for item in checklist(caso)
            if item["revision"] is None or item["revision"].decision != RevisionDocumento.Decision.ACEPTADO
        ]
        if pendientes:
            raise ApplicationError(
                ErrorCode.VALIDATION,
                _("Antes de activar, acepte todos los documentos. Faltan: %(docs)s.") % {"docs": ", ".join(pendientes)},
                {"pendientes": pendientes},
                status=409,
            )
        entidad = entity_workflow.entidad_transition(
            entidad=entidad, to=Entidad.Estado.ACTIVA, actor=staff, motivo=motivo, detalle={"caso": caso.numero}
        )
        workflow.move(caso, C.RESUELTO, actor=staff, tipo="activada", motivo=motivo)
        caso.resuelto_at = timezone.now()
        caso.save(update_fields=["estado", "resuelto_at", "updated_at"])
        _notify(
            to=[entidad.correo_notificaciones, *_admin_emails(entidad)],
            template="entidad_activada",
            caso=caso,
            entidad=entidad,
        )
    return caso


def caso_reject(*, caso: Caso, staff, motivo: str) -> Caso:
    motivo = (motivo or "").strip()
    if not motivo:
        raise _error(_("Escriba el motivo del rechazo."), "motivo")
    with transaction.atomic():
        caso = _lock(caso)
        entidad = _activation_case(caso)
        workflow.check(caso, C.RESUELTO)
        entidad = entity_workflow.entidad_transition(
            entidad=entidad, to=Entidad.Estado.RECHAZADA, actor=staff, motivo=motivo, detalle={"caso": caso.numero}
        )
        workflow.move(caso, C.RESUELTO, actor=staff, tipo="rechazada", motivo=motivo)
        caso.resuelto_at = timezone.now()
        caso.save(update_fields=["estado", "resuelto_at", "updated_at"])
        _notify(to=_admin_emails(entidad), template="entidad_rechazada", caso=caso, entidad=entidad, motivo=motivo)
    return caso


def caso_enable_supplier(*, caso: Caso, staff, motivo: str = "") -> Caso:
    """R4.3: the entity also acts as a supplier from the same account."""
    with transaction.atomic():
        caso = _lock(caso)
        if caso.asunto != Asunto.PERFIL_PROVEEDOR or caso.entidad_id is None:
            raise _error(_("Esta acción es para casos de habilitación del perfil de Proveedor."), status=409)
        workflow.check(caso, C.RESUELTO)
        entidad = Entidad.objects.select_for_update().get(pk=caso.entidad_id)
        if entidad.estado != Entidad.Estado.ACTIVA:
            raise _error(_("La Entidad no está activa."), status=409)
        entidad.es_proveedor = True
        entidad.save(update_fields=["es_proveedor"])
        entity_workflow.event_record(
            entidad=entidad,
            tipo=EventoEntidad.Tipo.PERFIL_PROVEEDOR,
            actor=staff,
            motivo=motivo,
            detalle={"caso": caso.numero},
        )
        workflow.move(caso, C.RESUELTO, actor=staff, tipo="perfil_proveedor", motivo=motivo)
        caso.resuelto_at = timezone.now()
        caso.save(update_fields=["estado", "resuelto_at", "updated_at"])
        _notify(
            to=[entidad.correo_notificaciones, *_admin_emails(entidad)],
            template="perfil_proveedor",
            caso=caso,
            entidad=entidad,
        )
    return caso


def _appointee(login: str):
    """The registered, active user a desk member names by username or e-mail."""
    login = (login or "").strip()
    if not login:
        raise _error(_("Escriba el nombre de usuario o el correo electrónico de la persona."), "usuario")
    user = user_get_by_login(login=login)
    if user is None:
        raise _error(
            _("No hay un usuario registrado con el nombre de usuario o correo «%(login)s».") % {"login": login},
            "usuario",
        )
    if not user.is_active:
        raise _error(
            _("El usuario %(username)s está inactivo: no puede ser Usuario Administrador.")
            % {"username": user.username},
            "usuario",
        )
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        raise _error(
            _(
                "El usuario %(username)s no ha confirmado su registro (el enlace del correo de confirmación); "
                "pídale que lo haga antes de designarlo."
            )
            % {"username": user.username},
            "usuario",
        )
    if permissions.is_service_desk(user):
        raise _error(
            _("Una cuenta de la Mesa de Servicio no puede ser Usuario Administrador de una Entidad."), "usuario"
        )
    return user


def caso_appoint_admin(*, caso: Caso, staff, usuario: str, motivo: str) -> Membresia:
    """ "Designar administrador": when an entity has lost its only administrator, the desk makes a
    registered, active user (by default the requester) an active Administrador of it, from a
    "Designación de un nuevo Usuario Administrador" case. The entity's row is locked first, as every
    change to its users does; the case is resolved; the new administrator, the notification address
    and the other administrators are told."""
    motivo = (motivo or "").strip()
    if caso.asunto != Asunto.NUEVO_ADMINISTRADOR or caso.entidad_id is None:
        raise _error(
            _("Esta acción es para casos de designación de un nuevo Usuario Administrador de una Entidad."),
            status=409,
        )
    if not motivo:
        raise _error(_("Escriba el motivo de la designación."), "motivo")
    with transaction.atomic():
        entidad = Entidad.objects.select_for_update().get(pk=caso.entidad_id)
        caso = _lock(caso)
        workflow.check(caso, C.RESUELTO)
        if entidad.estado != Entidad.Estado.ACTIVA:
            raise _error(
                _("La Entidad está «%(estado)s»: se designa un Usuario Administrador solo en Entidades activas.")
                % {"estado": entidad.get_estado_display()},
                status=409,
            )
        user = _appointee(usuario)
        membresia = Membresia.objects.select_for_update().filter(usuario=user, entidad=entidad).first()
        anterior = None
        if membresia is None:
            membresia = Membresia.objects.create(
                usuario=user, entidad=entidad, rol=Membresia.Rol.ADMINISTRADOR, activa=True
            )
        elif membresia.rol == Membresia.Rol.ADMINISTRADOR and membresia.activa:
            raise _error(
                _("%(username)s ya es Usuario Administrador activo de la Entidad.") % {"username": user.username},
                "usuario",
                status=409,
            )
        else:
            anterior = {"rol": membresia.rol, "activa": membresia.activa}
            membresia.rol, membresia.activa = Membresia.Rol.ADMINISTRADOR, True
            membresia.save(update_fields=["rol", "activa"])
        detalle = {"caso": caso.numero, "usuario": user.username, "rol": Membresia.Rol.ADMINISTRADOR}
        if anterior is not None:
            detalle["membresia_anterior"] = anterior
        entity_workflow.event_record(
            entidad=entidad,
            tipo=EventoEntidad.Tipo.ADMINISTRADOR_DESIGNADO,
            actor=staff,
            motivo=motivo,
            detalle=detalle,
        )
        workflow.move(caso, C.RESUELTO, actor=staff, tipo="administrador_designado", motivo=motivo)
        caso.resuelto_at = timezone.now()
        caso.save(update_fields=["estado", "resuelto_at", "updated_at"])
        mensaje = Mensaje.objects.create(
            caso=caso,
            autor=staff,
            de_la_mesa=True,
            texto=_(
                "Designamos a %(nombre)s (%(username)s) como Usuario Administrador de la Entidad %(entidad)s. "
                "%(motivo)s"
            )
            % {
                "nombre": user.full_name or user.username,
                "username": user.username,
                "entidad": entidad.nombre,
                "motivo": motivo,
            },
        )
        context = {"entidad": entidad, "usuario": user, "motivo": motivo}
        _notify(to=[user.email], template="administrador_designado_usuario", caso=caso, **context)
        otros = (
            Membresia.objects.filter(
                entidad=entidad, activa=True, rol=Membresia.Rol.ADMINISTRADOR, usuario__is_active=True
            )
            .exclude(usuario=user)
            .values_list("usuario__email", flat=True)
        )
        _notify(
            to=[entidad.correo_notificaciones, *otros],
            template="administrador_designado_entidad",
            caso=caso,
            **context,
        )
        if caso.correo and caso.correo.lower() != (user.email or "").lower():
            _notify(to=[caso.correo], template="mensaje_nuevo", caso=caso, mensaje=mensaje)
    return membresia


def caso_resolve(*, caso: Caso, staff, respuesta: str) -> Caso:
    """Answer a question ("Duda") or any case that needs no decision on an entity."""
    respuesta = (respuesta or "").strip()
    if not respuesta:
        raise _error(_("Escriba la respuesta."), "respuesta")
    with transaction.atomic():
        caso = _lock(caso)
        if (
            caso.asunto in (Asunto.REGISTRO_ENTIDAD, Asunto.PERFIL_PROVEEDOR)
            and caso.tipo_solicitud == TipoSolicitud.SOLICITUD
        ):
            raise _error(_("Este caso se resuelve activando, rechazando o habilitando."), status=409)
        workflow.move(caso, C.RESUELTO, actor=staff, tipo="resuelto", motivo=respuesta)
        caso.resuelto_at = timezone.now()
        caso.save(update_fields=["estado", "resuelto_at", "updated_at"])
        mensaje = Mensaje.objects.create(caso=caso, autor=staff, texto=respuesta, de_la_mesa=True)
        _notify(to=[caso.correo], template="mensaje_nuevo", caso=caso, mensaje=mensaje)
    return caso


def caso_close(*, caso: Caso, actor, motivo: str = "") -> Caso:
    with transaction.atomic():
        caso = _lock(caso)
        workflow.move(caso, C.CERRADO, actor=actor, tipo="cerrado", motivo=motivo)
        caso.save(update_fields=["estado", "updated_at"])
    return caso
