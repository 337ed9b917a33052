"""A change of NIT or legal name asked for from an account's "Editar datos" (R9.2): the desk gets
it as a case carrying the values asked for, reviews it and applies it (the account's side of the
change is registro.entities.supplier.identity)."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from registro.core.errors import refusal
from registro.entities.account import workflow as entity_workflow
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.supplier import identity
from registro.servicedesk import workflow
from registro.servicedesk.models import Asunto, Caso, EventoCaso, TipoSolicitud, TipoUsuario
from registro.servicedesk.services import _common
from registro.servicedesk.services._common import C, _admin_emails, _notify
from registro.servicedesk.services.cases import case_initial


def _fit(model_field: str, value: str) -> str:
    return (value or "")[: Caso._meta.get_field(model_field).max_length]


def _descripcion(entidad: Entidad, cambios: dict) -> str:
    labels = {c["campo"]: c["label"] for c in Caso(cambios=cambios).cambios_legibles}
    lines = [
        _("La cuenta %(nombre)s (%(id)s) solicita cambiar los datos que la identifican:")
        % {"nombre": entidad.nombre, "id": entidad.nit_con_dv}
    ]
    for name, values in cambios.items():
        lines.append(
            _("- %(campo)s: «%(antes)s» → «%(despues)s»")
            % {"campo": labels.get(name, name), "antes": values.get("antes") or "—", "despues": values.get("despues")}
        )
    lines.append(_("Revise los documentos de la cuenta (RUT) antes de aplicar el cambio."))
    return "\n".join(lines)


def caso_identity_change_open(*, entidad: Entidad, user, cambios: dict) -> Caso:
    """Opens the case for a requested change of NIT or legal name, with the values asked for, and
    records it in the account's history (CAMBIO_SOLICITADO). Runs in the requester's transaction,
    with the account locked (the signal's receiver); one such case open per account at a time."""
    open_case = Caso.objects.filter(
        entidad=entidad, asunto=Asunto.CAMBIO_IDENTIFICACION, estado__in=workflow.OPEN_STATES
    ).first()
    if open_case:
        raise refusal(
            _(
                "Ya hay un caso abierto con la Mesa de Servicio para cambiar el NIT o la razón social: %(numero)s. "
                "Espere su respuesta o escriba en ese caso; no se guardó ningún cambio."
            )
            % {"numero": open_case.numero},
            next(iter(cambios), None),
            status=409,
        )
    initial = case_initial(user=user, entidad=entidad)
    caso = Caso.objects.create(
        solicitante=user,
        entidad=entidad,
        tipo_solicitud=TipoSolicitud.SOLICITUD,
        asunto=Asunto.CAMBIO_IDENTIFICACION,
        tipo_usuario=TipoUsuario.PROVEEDOR,
        descripcion=_descripcion(entidad, cambios),
        cambios=cambios,
        **{name: _fit(name, value) for name, value in initial.items()},
    )
    caso = _common._numbered(caso)
    EventoCaso.objects.create(caso=caso, actor=user, tipo="abierto", estado_nuevo=caso.estado)
    entity_workflow.event_record(
        entidad=entidad,
        tipo=EventoEntidad.Tipo.CAMBIO_SOLICITADO,
        actor=user,
        detalle={"caso": caso.numero, "campos": list(cambios), "cambios": cambios},
    )
    _notify(to=[user.email], template="caso_abierto_solicitante", caso=caso)
    _notify(to=[settings.SERVICE_DESK_EMAIL], template="caso_abierto_mesa", caso=caso)
    return caso


def caso_apply_identity_change(*, caso: Caso, staff, motivo: str = "") -> Caso:
    """ "Aplicar el cambio": the desk applies the NIT or legal name asked for (the NIT's uniqueness
    is the database's: a clash is a clear refusal and nothing changes), resolves the case and tells
    the account (its notification address, its administrators and the requester)."""
    with transaction.atomic():
        caso = _common._lock(caso)
        if caso.asunto != Asunto.CAMBIO_IDENTIFICACION or caso.entidad_id is None or not caso.cambios:
            raise refusal(_("Esta acción es para casos de cambio de NIT o razón social."), status=409)
        workflow.check(caso, C.RESUELTO)
        antes = caso.entidad.nit_con_dv
        entidad = identity.identity_change_apply(
            entidad=caso.entidad, cambios=caso.cambios, actor=staff, motivo=motivo, detalle={"caso": caso.numero}
        )
        workflow.move(caso, C.RESUELTO, actor=staff, tipo="cambio_aplicado", motivo=motivo)
        _notify(
            to=[entidad.correo_notificaciones, *_admin_emails(entidad), caso.correo],
            template="cambio_aplicado",
            caso=caso,
            entidad=entidad,
            antes=antes,
            cambios=caso.cambios_legibles,
        )
    return caso
