"""The support case's life (R4.1–R4.3) as one transition table."""

from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode

from .models import Caso, EventoCaso

C = Caso.Estado

TRANSITIONS: set[tuple[str, str]] = {
    (C.ABIERTO, C.EN_REVISION),
    (C.ABIERTO, C.CERRADO),
    (C.EN_REVISION, C.ESPERANDO_SOLICITANTE),
    (C.EN_REVISION, C.RESUELTO),
    (C.EN_REVISION, C.CERRADO),
    (C.ESPERANDO_SOLICITANTE, C.EN_REVISION),
    (C.ESPERANDO_SOLICITANTE, C.CERRADO),
    (C.RESUELTO, C.CERRADO),
}

OPEN_STATES = (C.ABIERTO, C.EN_REVISION, C.ESPERANDO_SOLICITANTE)


def check(caso: Caso, to: str) -> None:
    if (caso.estado, to) not in TRANSITIONS:
        raise _not_possible(caso)


def require(caso: Caso, estado: str) -> None:
    """For actions that keep the state (reviewing a document needs a case under review)."""
    if caso.estado != estado:
        raise _not_possible(caso)


def _not_possible(caso: Caso) -> ApplicationError:
    return ApplicationError(
        ErrorCode.INVALID_TRANSITION,
        _("El caso %(numero)s está «%(estado)s»; esa acción ya no es posible.")
        % {"numero": caso.numero, "estado": caso.get_estado_display()},
        {"estado": caso.estado},
        status=409,
    )


def move(caso: Caso, to: str, *, actor, tipo: str, motivo: str = "") -> None:
    """Changes the (locked) case's state and records the event; the caller saves the case."""
    check(caso, to)
    EventoCaso.objects.create(
        caso=caso, actor=actor, tipo=tipo, estado_anterior=caso.estado, estado_nuevo=to, motivo=motivo
    )
    caso.estado = to
