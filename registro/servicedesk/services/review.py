"""The desk's review of an activation case: taking it, the document checklist, asking for corrections."""

from django.db import transaction
from django.utils.translation import gettext as _

from registro.core.errors import refusal
from registro.entities.account import workflow as entity_workflow
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.registration.models import Documento
from registro.servicedesk import workflow
from registro.servicedesk.models import (
    Asunto,
    Caso,
    Mensaje,
    RevisionDocumento,
)
from registro.servicedesk.services import _common
from registro.servicedesk.services._common import C, _admin_emails, _notify


def caso_take(*, caso: Caso, staff) -> Caso:
    """The desk starts reviewing an open case and takes it."""
    with transaction.atomic():
        caso = _common._lock(caso)
        workflow.require(caso, C.ABIERTO)  # a case waiting for the requester goes back on their answer
        caso.asignado_a = staff
        workflow.move(caso, C.EN_REVISION, actor=staff, tipo="revision_iniciada", fields=["asignado_a"])
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
        raise refusal(_("Esta acción es para casos de activación de una Entidad."), status=409)
    return caso.entidad


def documento_review(*, caso: Caso, documento: Documento, decision: str, motivo: str, staff) -> RevisionDocumento:
    """One line of the review checklist: accepted, or rejected with a reason."""
    motivo = (motivo or "").strip()
    if decision not in RevisionDocumento.Decision.values:
        raise refusal(_("Elija «Aceptado» o «Rechazado»."), "decision")
    if decision == RevisionDocumento.Decision.RECHAZADO and not motivo:
        raise refusal(_("Escriba el motivo del rechazo del documento."), "motivo")
    with transaction.atomic():
        caso = _common._lock(caso)
        entidad = _activation_case(caso)
        workflow.require(caso, C.EN_REVISION)
        if documento.entidad_id != entidad.pk or not documento.vigente:
            raise refusal(_("Ese documento no es un documento vigente de esta Entidad."), status=404)
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
        raise refusal(_("Escriba qué debe corregirse."), "motivo")
    with transaction.atomic():
        caso = _common._lock(caso)
        entidad = _activation_case(caso)
        workflow.move(caso, C.ESPERANDO_SOLICITANTE, actor=staff, tipo="correccion_solicitada", motivo=motivo)
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
