"""The lives of a request, of each invitation and of each invitation run, as transition tables
(registro/core/transitions.py). A request's steps are recorded in the requesting entity's history;
an invitation's, in both accounts' histories."""

from django.utils.translation import gettext as _

from registro.core.transitions import StateMachine, Transition
from registro.entities.account.models import EventoEntidad
from registro.entities.account.workflow import event_record
from registro.entities.information_requests.models import (
    EnvioInvitaciones,
    InvitacionSolicitud,
    SolicitudInformacion,
)

S = SolicitudInformacion.Estado
I = InvitacionSolicitud.Estado  # noqa: E741
J = EnvioInvitaciones.Estado
T = EventoEntidad.Tipo


def solicitud_detalle(solicitud: SolicitudInformacion, **extra) -> dict:
    return {"solicitud": solicitud.pk, "solicitud_titulo": solicitud.titulo, **extra}


def _record_solicitud(solicitud, *, event, anterior, nuevo, actor=None, motivo="", detalle=None):
    return event_record(
        entidad=solicitud.entidad,
        tipo=event,
        actor=actor,
        motivo=motivo,
        detalle=solicitud_detalle(solicitud, estado_anterior=anterior, estado_nuevo=nuevo, **(detalle or {})),
    )


def _message_solicitud(solicitud, to):
    return _("La solicitud de información está «%(estado)s»; no puede pasar a «%(nuevo)s».") % {
        "estado": solicitud.get_estado_display(),
        "nuevo": S(to).label if to else _("otro estado"),
    }


SOLICITUD = StateMachine(
    {
        (S.ABIERTA, S.CERRADA): Transition(T.SOLICITUD_INFO_CERRADA, stamps=("cerrada_at",)),
        (S.CERRADA, S.ABIERTA): T.SOLICITUD_INFO_PLAZO,
        (S.ABIERTA, S.CANCELADA): Transition(T.SOLICITUD_INFO_CANCELADA, stamps=("cancelada_at",)),
        (S.CERRADA, S.CANCELADA): Transition(T.SOLICITUD_INFO_CANCELADA, stamps=("cancelada_at",)),
    },
    record=_record_solicitud,
    message=_message_solicitud,
)


def _record_invitacion(invitacion, *, event, anterior, nuevo, actor=None, motivo="", detalle=None):
    """Both sides: the supplier's history names the entity that asked; the entity's, the supplier."""
    solicitud = invitacion.solicitud
    for entidad, otra in ((invitacion.proveedor, solicitud.entidad), (solicitud.entidad, invitacion.proveedor)):
        event_record(
            entidad=entidad,
            tipo=event,
            actor=actor,
            motivo=motivo,
            detalle=solicitud_detalle(solicitud, invitacion=invitacion.pk, cuenta=otra.nombre, **(detalle or {})),
            estado_anterior="",
            estado_nuevo="",
        )


def _message_invitacion(invitacion, to):
    if invitacion.estado == I.RESPONDIDA:
        return _("Esta invitación ya fue respondida.")
    if invitacion.estado == I.NO_INTERESADO:
        return _("Ya indicó que no está interesado en esta solicitud.")
    return _("La invitación no admite ese cambio.")


INVITACION = StateMachine(
    {
        (I.PENDIENTE, I.RESPONDIDA): Transition(T.SOLICITUD_INFO_RESPONDIDA, stamps=("respondida_at",)),
        (I.PENDIENTE, I.NO_INTERESADO): Transition(T.SOLICITUD_INFO_NO_INTERESADO, stamps=("respondida_at",)),
    },
    record=_record_invitacion,
    message=_message_invitacion,
)


def _record_envio(envio, *, event, anterior, nuevo, actor=None, motivo="", detalle=None):
    # Starting is progress, not history; the end of a run is recorded with its counts.
    if nuevo == J.EN_CURSO:
        return None
    solicitud = envio.solicitud
    return event_record(
        entidad=solicitud.entidad,
        tipo=event,
        actor=actor or envio.creado_por,
        motivo=motivo,
        detalle=solicitud_detalle(
            solicitud,
            origen=envio.origen,
            invitados=envio.invitados,
            omitidos=envio.omitidos,
            resultado=nuevo,
        ),
    )


ENVIO = StateMachine(
    {
        (J.PENDIENTE, J.EN_CURSO): Transition("iniciado", stamps=("iniciado_at",)),
        (J.EN_CURSO, J.TERMINADO): Transition(T.SOLICITUD_INFO_INVITACIONES, stamps=("terminado_at",)),
        (J.PENDIENTE, J.INTERRUMPIDO): Transition(T.SOLICITUD_INFO_INVITACIONES, stamps=("terminado_at",)),
        (J.EN_CURSO, J.INTERRUMPIDO): Transition(T.SOLICITUD_INFO_INVITACIONES, stamps=("terminado_at",)),
    },
    record=_record_envio,
    message=lambda envio, to: _("El envío de invitaciones ya terminó."),
)
