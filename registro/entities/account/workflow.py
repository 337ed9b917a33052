"""The entity account's life (R3.9, R4.2) as one transition table. Every change goes through
`entidad_transition`, which locks the row, checks the table, records the event in the same
transaction and leaves e-mails to the caller's on_commit (registro/core/transitions.py)."""

import json

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registro.core.transitions import StateMachine, Transition
from registro.entities.account.models import Entidad, EventoEntidad

E = Entidad.Estado
T = EventoEntidad.Tipo


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


def events_record_many(*, entidad_ids, tipo: str, actor_id=None, motivo: str = "", detalle: dict | None = None) -> None:
    """The same event in the history of many accounts (the invitees of a request), in one
    statement: on PostgreSQL an INSERT … SELECT whose `detalle` travels once."""
    entidad_ids = list(entidad_ids)
    if not entidad_ids:
        return
    detalle = detalle or {}
    if connection.vendor != "postgresql":
        EventoEntidad.objects.bulk_create(
            EventoEntidad(entidad_id=pk, tipo=tipo, actor_id=actor_id, motivo=motivo, detalle=detalle)
            for pk in entidad_ids
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO entities_eventoentidad
                    (entidad_id, tipo, actor_id, estado_anterior, estado_nuevo, motivo, detalle, created_at)
                SELECT e, %s, %s, '', '', %s, %s::jsonb, %s FROM unnest(%s::bigint[]) AS e""",
            [tipo, actor_id, motivo, json.dumps(detalle), timezone.now(), entidad_ids],
        )


def _record(entidad: Entidad, *, event: str, anterior: str, nuevo: str, actor=None, motivo="", detalle=None):
    return event_record(
        entidad=entidad,
        tipo=event,
        actor=actor,
        motivo=motivo,
        detalle=detalle,
        estado_anterior=anterior,
        estado_nuevo=nuevo,
    )


def _message(entidad: Entidad, to: str | None) -> str:
    return _("La Entidad está «%(estado)s»; no puede pasar a «%(nuevo)s».") % {
        "estado": entidad.get_estado_display(),
        "nuevo": E(to).label if to else "",
    }


MACHINE = StateMachine(
    {
        (E.PENDIENTE, E.REQUIERE_CORRECCION): T.CORRECCION_SOLICITADA,
        (E.PENDIENTE, E.ACTIVA): Transition(T.ACTIVADA, stamps=("activada_at",)),
        (E.PENDIENTE, E.RECHAZADA): T.RECHAZADA,
        (E.REQUIERE_CORRECCION, E.PENDIENTE): T.REENVIADA,
        (E.REQUIERE_CORRECCION, E.RECHAZADA): T.RECHAZADA,
        # The desk suspends an active account and reactivates it, always with a reason.
        (E.ACTIVA, E.SUSPENDIDA): T.SUSPENDIDA,
        (E.SUSPENDIDA, E.ACTIVA): T.REACTIVADA,
    },
    record=_record,
    message=_message,
)


@transaction.atomic
def entidad_transition(*, entidad: Entidad, to: str, actor, motivo: str = "", detalle: dict | None = None) -> Entidad:
    locked = Entidad.objects.select_for_update().get(pk=entidad.pk)
    return MACHINE.apply(locked, to, actor=actor, motivo=motivo, detalle=detalle)
