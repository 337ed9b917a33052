"""The support case's life (R4.1–R4.3) as one transition table (registro/core/transitions.py).
Resolving sets `resuelto_at`; the decision names its own event ("activada", "rechazada"...)."""

from django.utils.translation import gettext as _

from registro.core.transitions import StateMachine, Transition

from .models import Caso, EventoCaso

C = Caso.Estado


def _record(caso: Caso, *, event: str, anterior: str, nuevo: str, actor, motivo: str = "") -> EventoCaso:
    return EventoCaso.objects.create(
        caso=caso, actor=actor, tipo=event, estado_anterior=anterior, estado_nuevo=nuevo, motivo=motivo
    )


def _message(caso: Caso, to: str | None) -> str:
    return _("El caso %(numero)s está «%(estado)s»; esa acción ya no es posible.") % {
        "numero": caso.numero,
        "estado": caso.get_estado_display(),
    }


RESOLVED = Transition("resuelto", stamps=("resuelto_at",))

MACHINE = StateMachine(
    {
        (C.ABIERTO, C.EN_REVISION): "revision_iniciada",
        (C.ABIERTO, C.CERRADO): "cerrado",
        (C.EN_REVISION, C.ESPERANDO_SOLICITANTE): "correccion_solicitada",
        (C.EN_REVISION, C.RESUELTO): RESOLVED,
        (C.EN_REVISION, C.CERRADO): "cerrado",
        (C.ESPERANDO_SOLICITANTE, C.EN_REVISION): "respuesta_solicitante",
        (C.ESPERANDO_SOLICITANTE, C.CERRADO): "cerrado",
        (C.RESUELTO, C.CERRADO): "cerrado",
    },
    record=_record,
    message=_message,
)

OPEN_STATES = (C.ABIERTO, C.EN_REVISION, C.ESPERANDO_SOLICITANTE)


def check(caso: Caso, to: str) -> None:
    """Refuses early, before a decision does its other work, what `move` would refuse."""
    MACHINE.check(caso, to)


def require(caso: Caso, estado: str) -> None:
    """For actions that keep the state (reviewing a document needs a case under review)."""
    MACHINE.require(caso, estado)


def move(caso: Caso, to: str, *, actor, tipo: str = "", motivo: str = "", fields=()) -> Caso:
    """Changes the (locked) case's state, sets the transition's timestamps, saves them with
    `fields` (other columns the caller set) and records the event."""
    return MACHINE.apply(caso, to, event=tipo, fields=fields, actor=actor, motivo=motivo)
