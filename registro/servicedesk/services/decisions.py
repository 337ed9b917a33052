"""The desk's decisions that resolve a case: activate, reject, enable the supplier profile, appoint an
administrator, resolve a question, close."""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils.translation import gettext as _

from registro.accounts.selectors import user_get_by_login
from registro.core.errors import ApplicationError, ErrorCode, refusal
from registro.core.models import TipoEmpresa
from registro.entities.account import workflow as entity_workflow
from registro.entities.account.models import Entidad, EventoEntidad, PerfilComercial
from registro.entities.membership import members
from registro.entities.membership.models import Membresia
from registro.servicedesk import permissions, workflow
from registro.servicedesk.models import (
    Asunto,
    Caso,
    Mensaje,
    RevisionDocumento,
    TipoSolicitud,
)
from registro.servicedesk.services import _common
from registro.servicedesk.services._common import C, _admin_emails, _notify
from registro.servicedesk.services.review import _activation_case, checklist


def caso_activate(*, caso: Caso, staff, motivo: str = "") -> Caso:
    """ "Activar" (R4.2): every current document accepted; the notification address and the
    administrators are told the account can be used."""
    with transaction.atomic():
        caso = _common._lock(caso)
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
        raise refusal(_("Escriba el motivo del rechazo."), "motivo")
    with transaction.atomic():
        caso = _common._lock(caso)
        entidad = _activation_case(caso)
        workflow.check(caso, C.RESUELTO)
        entidad = entity_workflow.entidad_transition(
            entidad=entidad, to=Entidad.Estado.RECHAZADA, actor=staff, motivo=motivo, detalle={"caso": caso.numero}
        )
        workflow.move(caso, C.RESUELTO, actor=staff, tipo="rechazada", motivo=motivo)
        _notify(to=_admin_emails(entidad), template="entidad_rechazada", caso=caso, entidad=entidad, motivo=motivo)
    return caso


def caso_enable_supplier(*, caso: Caso, staff, motivo: str = "") -> Caso:
    """R4.3: the entity also acts as a supplier from the same account, which gains the commercial
    profile a supplier has (ADR 0013), in the same transaction: its areas of interest and library
    hang from the account itself. No second account is created."""
    with transaction.atomic():
        caso = _common._lock(caso)
        if caso.asunto != Asunto.PERFIL_PROVEEDOR or caso.entidad_id is None:
            raise refusal(_("Esta acción es para casos de habilitación del perfil de Proveedor."), status=409)
        workflow.check(caso, C.RESUELTO)
        entidad = Entidad.objects.select_for_update().get(pk=caso.entidad_id)
        if entidad.estado != Entidad.Estado.ACTIVA:
            raise refusal(_("La Entidad no está activa."), status=409)
        entidad.es_proveedor = True
        entidad.save(update_fields=["es_proveedor"])
        # A State entity is a legal person; the rest of the profile is its administrators' to fill in.
        _perfil, creado = PerfilComercial.objects.get_or_create(
            entidad=entidad, defaults={"persona": TipoEmpresa.Persona.JURIDICA}
        )
        entity_workflow.event_record(
            entidad=entidad,
            tipo=EventoEntidad.Tipo.PERFIL_PROVEEDOR,
            actor=staff,
            motivo=motivo,
            detalle={"caso": caso.numero, "perfil_comercial": "creado" if creado else "existente"},
        )
        workflow.move(caso, C.RESUELTO, actor=staff, tipo="perfil_proveedor", motivo=motivo)
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
        raise refusal(_("Escriba el nombre de usuario o el correo electrónico de la persona."), "usuario")
    user = user_get_by_login(login=login)
    if user is None:
        raise refusal(
            _("No hay un usuario registrado con el nombre de usuario o correo «%(login)s».") % {"login": login},
            "usuario",
        )
    if not user.is_active:
        raise refusal(
            _("El usuario %(username)s está inactivo: no puede ser Usuario Administrador.")
            % {"username": user.username},
            "usuario",
        )
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        raise refusal(
            _(
                "El usuario %(username)s no ha confirmado su registro (el enlace del correo de confirmación); "
                "pídale que lo haga antes de designarlo."
            )
            % {"username": user.username},
            "usuario",
        )
    if permissions.is_service_desk(user):
        raise refusal(
            _("Una cuenta de la Mesa de Servicio no puede ser Usuario Administrador de una Entidad."), "usuario"
        )
    return user


def caso_appoint_admin(*, caso: Caso, staff, usuario: str, motivo: str) -> Membresia:
    """ "Designar administrador": when an entity has lost its only administrator, the desk makes a
    registered, active user (by default the requester) an active Administrador of it, from a
    "Designación de un nuevo Usuario Administrador" case. The case's row is locked first, then the
    entity's, as every change to its users does (ADR 0011); the case is resolved; the new
    administrator, the notification address and the other administrators are told."""
    motivo = (motivo or "").strip()
    if caso.asunto != Asunto.NUEVO_ADMINISTRADOR or caso.entidad_id is None:
        raise refusal(
            _("Esta acción es para casos de designación de un nuevo Usuario Administrador de una Entidad."), status=409
        )
    if not motivo:
        raise refusal(_("Escriba el motivo de la designación."), "motivo")
    with transaction.atomic():
        caso = _common._lock(caso)
        workflow.check(caso, C.RESUELTO)
        entidad = Entidad.objects.select_for_update().get(pk=caso.entidad_id)
        if entidad.estado != Entidad.Estado.ACTIVA:
            raise refusal(
                _("La Entidad está «%(estado)s»: se designa un Usuario Administrador solo en Entidades activas.")
                % {"estado": entidad.get_estado_display()},
                status=409,
            )
        user = _appointee(usuario)
        membresia, anterior = members.administrador_designate(entidad=entidad, usuario=user)
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
        raise refusal(_("Escriba la respuesta."), "respuesta")
    with transaction.atomic():
        caso = _common._lock(caso)
        if (
            caso.asunto in (Asunto.REGISTRO_ENTIDAD, Asunto.PERFIL_PROVEEDOR)
            and caso.tipo_solicitud == TipoSolicitud.SOLICITUD
        ):
            raise refusal(_("Este caso se resuelve activando, rechazando o habilitando."), status=409)
        workflow.move(caso, C.RESUELTO, actor=staff, tipo="resuelto", motivo=respuesta)
        mensaje = Mensaje.objects.create(caso=caso, autor=staff, texto=respuesta, de_la_mesa=True)
        _notify(to=[caso.correo], template="mensaje_nuevo", caso=caso, mensaje=mensaje)
    return caso


def caso_close(*, caso: Caso, actor, motivo: str = "") -> Caso:
    with transaction.atomic():
        caso = _common._lock(caso)
        workflow.move(caso, C.CERRADO, actor=actor, tipo="cerrado", motivo=motivo)
    return caso
