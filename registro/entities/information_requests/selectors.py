"""The reads of information requests, and the guards every page, API operation and download
shares: a request is found only within the acting entity, an invitation only within the acting
supplier; anything else is simply not found (404)."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from registro.core.compiled import CompiledQuery
from registro.core.errors import ApplicationError, ErrorCode
from registro.entities.account.models import Entidad
from registro.entities.information_requests import services
from registro.entities.information_requests.models import (
    AdjuntoRespuesta,
    AdjuntoSolicitud,
    EnvioInvitaciones,
    InvitacionSolicitud,
    SolicitudInformacion,
)
from registro.entities.membership import catalogue
from registro.entities.membership.acting import Acting
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.permissions import membresia_of, standing

I = InvitacionSolicitud.Estado  # noqa: E741


def _not_found(message: str) -> ApplicationError:
    return ApplicationError(ErrorCode.NOT_FOUND, message, status=404)


def require_kind(current: Acting, permiso: Permiso) -> Acting:
    """An account of the kind the permission belongs to (an Administrador holds every permission,
    but a supplier has no requests to manage, nor an entity that does not supply invitations)."""
    if permiso not in catalogue.applicable(current.entidad):
        if permiso == Permiso.RESPONDER_INVITACIONES:
            message = _("Solo las cuentas que actúan como Proveedor reciben invitaciones a solicitudes de información.")
        else:
            message = _("Solo las Entidades Estatales gestionan solicitudes de información.")
        raise ApplicationError(ErrorCode.PERMISSION_DENIED, message, {"permiso": str(permiso)}, status=403)
    return current


def require_applicable(current: Acting, permiso: Permiso) -> Acting:
    """The permission, held, in an account of its kind."""
    return require_kind(current, permiso).require(permiso)


def solicitudes_of(entidad: Entidad):
    return (
        SolicitudInformacion.objects.filter(entidad=entidad)
        .annotate(
            n_invitados=Count("invitaciones"),
            n_respondidas=Count("invitaciones", filter=Q(invitaciones__estado=I.RESPONDIDA)),
            n_no_interesado=Count("invitaciones", filter=Q(invitaciones__estado=I.NO_INTERESADO)),
        )
        .order_by("-created_at", "-id")
    )


# Every Directorio page of an entity user who may invite reads them: compiled once per process
# (docs/adr/0014, "Queries compiled once"), the deadline tested here on the entity's few open ones.
_ABIERTAS = CompiledQuery(
    lambda entidad_id: SolicitudInformacion.objects.filter(
        entidad_id=entidad_id, estado=SolicitudInformacion.Estado.ABIERTA
    ).order_by("plazo", "id")
)


def solicitudes_abiertas(entidad: Entidad) -> list[SolicitudInformacion]:
    """The entity's requests that still take invitations (open, before their deadline), the
    nearest deadline first: what the directory's "Invitar a una solicitud de información" offers."""
    now = timezone.now()
    return [s for s in _ABIERTAS.run(entidad.pk, using=SolicitudInformacion.objects.db) if s.plazo > now]


def solicitud_for(current: Acting, pk) -> SolicitudInformacion:
    solicitud = solicitudes_of(current.entidad).select_related("entidad").filter(pk=pk).first()
    if solicitud is None:
        raise _not_found(_("No existe esa solicitud de información en su Entidad."))
    return solicitud


def resumen(solicitud: SolicitudInformacion) -> dict:
    """What the entity sees on its request's page: counts, the state the clock gives, progress."""
    counts = dict(solicitud.invitaciones.values_list("estado").annotate(n=Count("id")).values_list("estado", "n"))
    return {
        "invitados": sum(counts.values()),
        "respondidas": counts.get(I.RESPONDIDA, 0),
        "no_interesado": counts.get(I.NO_INTERESADO, 0),
        "pendientes": counts.get(I.PENDIENTE, 0),
        "estado": services.estado_efectivo(solicitud),
        "envios": list(EnvioInvitaciones.objects.filter(solicitud=solicitud).order_by("-created_at", "-id")[:10]),
    }


def respuestas(solicitud: SolicitudInformacion):
    return (
        solicitud.invitaciones.exclude(estado=I.PENDIENTE)
        .select_related("proveedor", "respondida_por")
        .prefetch_related("adjuntos")
        .order_by("-respondida_at", "-id")
    )


def invitaciones_of(solicitud: SolicitudInformacion):
    return solicitud.invitaciones.select_related("proveedor").order_by("-created_at", "-id")


def recibidas(proveedor: Entidad):
    """A supplier's "Invitaciones recibidas", newest first."""
    return (
        InvitacionSolicitud.objects.filter(proveedor=proveedor)
        .select_related("solicitud__entidad")
        .order_by("-created_at", "-id")
    )


def recibida_for(current: Acting, solicitud_pk) -> InvitacionSolicitud:
    invitacion = (
        recibidas(current.entidad)
        .prefetch_related("adjuntos", "solicitud__adjuntos")
        .filter(solicitud_id=solicitud_pk)
        .first()
    )
    if invitacion is None:
        raise _not_found(_("Su cuenta no tiene una invitación a esa solicitud de información."))
    return invitacion


def _active_member(user, entidad: Entidad):
    return entidad.estado == Entidad.Estado.ACTIVA and membresia_of(user, entidad) is not None


def _manages(user, entidad: Entidad) -> bool:
    return entidad.estado == Entidad.Estado.ACTIVA and standing(user, entidad).can(
        Permiso.GESTIONAR_SOLICITUDES_INFORMACION
    )


def adjunto_solicitud_for(user, pk) -> AdjuntoSolicitud:
    """A request's file: for the requesting entity's users who manage requests, and for the users
    of the suppliers invited to it."""
    adjunto = AdjuntoSolicitud.objects.select_related("solicitud__entidad").filter(pk=pk).first()
    if adjunto is not None:
        solicitud = adjunto.solicitud
        if _manages(user, solicitud.entidad):
            return adjunto
        invitado = Entidad.objects.filter(
            estado=Entidad.Estado.ACTIVA,
            invitaciones_solicitud__solicitud=solicitud,
            membresias__usuario=user,
            membresias__activa=True,
        )
        if user.is_authenticated and invitado.exists():
            return adjunto
    raise _not_found(_("No existe ese archivo, o no está a su alcance."))


def adjunto_respuesta_for(user, pk) -> AdjuntoRespuesta:
    """An answer's file: for the requesting entity's users who manage requests, and for the
    answering supplier's users; nobody else (other invitees included)."""
    adjunto = (
        AdjuntoRespuesta.objects.select_related("invitacion__solicitud__entidad", "invitacion__proveedor")
        .filter(pk=pk)
        .first()
    )
    if adjunto is not None:
        invitacion = adjunto.invitacion
        if _manages(user, invitacion.solicitud.entidad) or _active_member(user, invitacion.proveedor):
            return adjunto
    raise _not_found(_("No existe ese archivo, o no está a su alcance."))
