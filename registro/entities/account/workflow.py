"""The entity account's life (R3.9, R4.2) as one transition table. Every change goes through
`entidad_transition`, which locks the row, checks the table, records the event in the same
transaction and leaves e-mails to the caller's on_commit."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode
from registro.entities.account.models import Entidad, EventoEntidad

E = Entidad.Estado


# (from, to) → the event it records.
TRANSITIONS: dict[tuple[str, str], str] = {
    (E.PENDIENTE, E.REQUIERE_CORRECCION): EventoEntidad.Tipo.CORRECCION_SOLICITADA,
    (E.PENDIENTE, E.ACTIVA): EventoEntidad.Tipo.ACTIVADA,
    (E.PENDIENTE, E.RECHAZADA): EventoEntidad.Tipo.RECHAZADA,
    (E.REQUIERE_CORRECCION, E.PENDIENTE): EventoEntidad.Tipo.REENVIADA,
    (E.REQUIERE_CORRECCION, E.RECHAZADA): EventoEntidad.Tipo.RECHAZADA,
}


def allowed_targets(estado: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == estado]


def event_record(
    *,
    entidad: Entidad,
    tipo: str,
    actor=None,
    motivo: str = "",
    detalle: dict | None = None,
    estado_anterior: str = "",
    estado_nuevo: str = "",
) -> EventoEntidad:
    return EventoEntidad.objects.create(
        entidad=entidad,
        tipo=tipo,
        actor=actor,
        motivo=motivo,
        detalle=detalle or {},
        estado_anterior=estado_anterior,
        estado_nuevo=estado_nuevo,
    )


@transaction.atomic
def entidad_transition(*, entidad: Entidad, to: str, actor, motivo: str = "", detalle: dict | None = None) -> Entidad:
    locked = Entidad.objects.select_for_update().get(pk=entidad.pk)
    tipo = TRANSITIONS.get((locked.estado, to))
    if tipo is None:
        raise ApplicationError(
            ErrorCode.INVALID_TRANSITION,
            _("La Entidad está «%(estado)s»; no puede pasar a «%(nuevo)s».")
            % {"estado": locked.get_estado_display(), "nuevo": E(to).label},
            {"estado": locked.estado, "permitidos": allowed_targets(locked.estado)},
            status=409,
        )
    anterior = locked.estado
    locked.estado = to
    fields = ["estado"]
    if to == E.ACTIVA:
        locked.activada_at = timezone.now()
        fields.append("activada_at")
    locked.save(update_fields=fields)
    event_record(
        entidad=locked,
        tipo=tipo,
        actor=actor,
        motivo=motivo,
        detalle=detalle,
        estado_anterior=anterior,
        estado_nuevo=to,
    )
    return locked
