"""The entity's corrections as a case sees them: the entity's own services change its documents
and data; the desk's side is the case's number in the history and the case going back to review."""

from django.db import transaction
from django.utils.translation import gettext as _

from registro.entities.account.models import Entidad
from registro.entities.registration import correction
from registro.servicedesk import workflow
from registro.servicedesk.models import Asunto, Caso, Mensaje
from registro.servicedesk.services._common import C, _desk_emails, _notify

entidad_documento_replace = correction.entidad_documento_replace
documentos_faltantes = correction.documentos_faltantes


def _open_activation_case(entidad: Entidad) -> Caso | None:
    return Caso.objects.filter(entidad=entidad, asunto=Asunto.REGISTRO_ENTIDAD, estado__in=workflow.OPEN_STATES).first()


def entidad_data_update(*, entidad: Entidad, data, user) -> Entidad:
    """ "Corregir datos de la Entidad" from the activation case: the event names the case."""
    with transaction.atomic():
        caso = _open_activation_case(entidad)
        detalle = {"caso": caso.numero} if caso is not None else {}
        return correction.entidad_data_update(entidad=entidad, data=data, user=user, detalle=detalle)


def entidad_resubmit(*, entidad: Entidad, user, nota: str = "") -> Entidad:
    """The administrators send the corrected registration back to the desk, with every document
    its (possibly corrected) data asks for; the case waiting for them goes back to review. Locks the
    open activation case, in whatever state, before the entity (ADR 0011): a desk decision in flight
    on the case finishes before this reads the entity, so the two never disagree."""
    with transaction.atomic():
        caso = (
            Caso.objects.select_for_update()
            .filter(entidad=entidad, asunto=Asunto.REGISTRO_ENTIDAD, estado__in=workflow.OPEN_STATES)
            .first()
        )
        entidad = correction.entidad_resubmit(entidad=entidad, user=user, nota=nota)
        if caso is not None and caso.estado == C.ESPERANDO_SOLICITANTE:
            workflow.move(caso, C.EN_REVISION, actor=user, tipo="reenviada", motivo=nota or "")
            Mensaje.objects.create(
                caso=caso, autor=user, texto=nota or _("Corregimos lo solicitado y enviamos de nuevo el registro.")
            )
            _notify(to=_desk_emails(caso), template="reenviada", caso=caso, entidad=entidad)
    return entidad
