"""The writes of information requests: create, invite (manual and automatic, by a background task
in batches), answer or decline, extend, cancel and close. Views, API handlers and tasks call these.

Lock order (registro/core/transitions.py): SolicitudInformacion → EnvioInvitaciones →
InvitacionSolicitud. Every change to a request, to its invitations or to a run locks the request
first, so an answer, the deadline, an extension, a cancellation and two runs of the invitation task
are serialised on that one row; the clock is read after the lock is held."""

import zoneinfo
from contextlib import ExitStack
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from registro.core.errors import refusal
from registro.core.files.checks import check_uploaded_file
from registro.core.files.stored import stored
from registro.core.models import CodigoUNSPSC
from registro.core.unspsc import parse_selection
from registro.entities.account.models import AreaInteres, Entidad, EventoEntidad, TipoCuenta
from registro.entities.account.workflow import event_record, events_record_many
from registro.entities.directory import search
from registro.entities.information_requests import workflow
from registro.entities.information_requests.models import (
    AdjuntoRespuesta,
    AdjuntoSolicitud,
    CodigoSolicitud,
    EnvioInvitaciones,
    InvitacionSolicitud,
    SolicitudInformacion,
)
from registro.notifications.services import email_queue_template_many

BOGOTA = zoneinfo.ZoneInfo("America/Bogota")
S = SolicitudInformacion.Estado
I = InvitacionSolicitud.Estado  # noqa: E741
J = EnvioInvitaciones.Estado
T = EventoEntidad.Tipo
MAX_TITULO = 200
MAX_TEXTO = 5000
MAX_MOTIVO = 2000
MAX_ARCHIVOS = 10
# A request stays open at most this long: a quote asked for today is not answered next year.
MAX_PLAZO = timedelta(days=365)
EMAIL_TEMPLATES = "entities/email/solicitud_informacion"


def plazo_text(plazo: datetime) -> str:
    """The deadline as people in Colombia read it: Bogotá time, whatever the user's zone."""
    local = timezone.localtime(plazo, BOGOTA)
    return _("%(fecha)s a las %(hora)s (hora de Bogotá)") % {
        "fecha": formats.date_format(local, "j \\d\\e F \\d\\e Y").lower(),
        "hora": local.strftime("%H:%M"),
    }


def estado_efectivo(solicitud: SolicitudInformacion, now: datetime | None = None) -> str:
    """The state people see: a request whose deadline passed is closed even before the closing
    task has run."""
    if solicitud.estado == S.CANCELADA:
        return S.CANCELADA
    return S.CERRADA if (now or timezone.now()) > solicitud.plazo else S.ABIERTA


def admite_respuestas(solicitud: SolicitudInformacion, now: datetime | None = None) -> bool:
    """Answers are accepted up to the deadline's last second, inclusive."""
    return estado_efectivo(solicitud, now) == S.ABIERTA


def _lock(solicitud: SolicitudInformacion | int) -> SolicitudInformacion:
    pk = solicitud if isinstance(solicitud, int) else solicitud.pk
    return SolicitudInformacion.objects.select_for_update(of=("self",)).select_related("entidad").get(pk=pk)


def _require_open(solicitud: SolicitudInformacion, *, field: str | None = None):
    """The refusal of a request that no longer takes answers or invitations, in plain words."""
    if solicitud.estado == S.CANCELADA:
        raise refusal(_("La Entidad canceló esta solicitud de información."), field, status=409)
    if timezone.now() > solicitud.plazo:
        raise refusal(
            _("El plazo para responder venció el %(plazo)s; ya no se reciben respuestas.")
            % {"plazo": plazo_text(solicitud.plazo)},
            field,
            status=409,
        )


def _clean_plazo(plazo) -> datetime:
    if not isinstance(plazo, datetime):
        raise refusal(_("Indique la fecha y la hora límite."), "plazo")
    if timezone.is_naive(plazo):
        plazo = timezone.make_aware(plazo, BOGOTA)
    now = timezone.now()
    if plazo <= now:
        raise refusal(_("La fecha y hora límite debe ser posterior al momento actual."), "plazo")
    if plazo > now + MAX_PLAZO:
        raise refusal(_("La fecha límite no puede estar a más de un año."), "plazo")
    return plazo


def _clean_text(value, field: str, *, label: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise refusal(_("Escriba %(campo)s.") % {"campo": label}, field)
    if len(value) > limit:
        raise refusal(_("No puede tener más de %(n)s caracteres.") % {"n": limit}, field)
    return value


def _check_files(archivos) -> list:
    archivos = [a for a in (archivos or []) if a]
    if len(archivos) > MAX_ARCHIVOS:
        raise refusal(_("Puede adjuntar hasta %(n)s archivos.") % {"n": MAX_ARCHIVOS}, "archivos")
    for uploaded in archivos:
        check_uploaded_file(uploaded)  # refused before anything is stored (R2.5)
    return archivos


def _schedule_close(solicitud: SolicitudInformacion) -> None:
    """Closes the request at its deadline when the task backend can wait (the database worker);
    otherwise the request reads as closed from then on (`estado_efectivo`) until it is touched."""
    from registro.entities.information_requests import tasks

    task = tasks.close_solicitud
    if not task.get_backend().supports_defer:
        return
    plazo, pk = solicitud.plazo, solicitud.pk
    transaction.on_commit(lambda: task.using(run_after=plazo + timedelta(seconds=1)).enqueue(pk))


def solicitud_create(
    *, entidad: Entidad, actor, titulo: str, descripcion: str, codigos, plazo, archivos=()
) -> SolicitudInformacion:
    if not entidad.es_entidad_estatal or entidad.estado != Entidad.Estado.ACTIVA:
        raise refusal(_("Solo una Entidad Estatal activa crea solicitudes de información."), status=403)
    titulo = _clean_text(titulo, "titulo", label=_("el título"), limit=MAX_TITULO)
    descripcion = _clean_text(descripcion, "descripcion", label=_("la descripción"), limit=MAX_TEXTO)
    seleccion = parse_selection(codigos or [])
    if seleccion.desconocidos:
        raise refusal(
            _("Estos códigos no están en el clasificador UNSPSC: %(c)s.") % {"c": ", ".join(seleccion.desconocidos)},
            "codigos",
        )
    if not seleccion.codigos:
        raise refusal(_("Elija al menos un código del clasificador UNSPSC."), "codigos")
    plazo = _clean_plazo(plazo)
    archivos = _check_files(archivos)
    with ExitStack() as keeping, transaction.atomic():
        solicitud = SolicitudInformacion.objects.create(
            entidad=entidad, titulo=titulo, descripcion=descripcion, plazo=plazo, creada_por=actor
        )
        prefijos = dict(CodigoUNSPSC.objects.filter(codigo__in=seleccion.codigos).values_list("codigo", "prefijo"))
        CodigoSolicitud.objects.bulk_create(
            CodigoSolicitud(solicitud=solicitud, codigo_id=codigo, prefijo=prefijos[codigo])
            for codigo in seleccion.codigos
        )
        for uploaded in archivos:  # all the files, or none of them
            keeping.enter_context(stored(AdjuntoSolicitud(solicitud=solicitud), uploaded)).save()
        event_record(
            entidad=entidad,
            tipo=T.SOLICITUD_INFO_CREADA,
            actor=actor,
            detalle=workflow.solicitud_detalle(solicitud, codigos=seleccion.codigos, plazo=plazo.isoformat()),
        )
        _schedule_close(solicitud)
    return solicitud


def _prefijos(solicitud: SolicitudInformacion) -> list[str]:
    return list(solicitud.codigos_solicitud.values_list("prefijo", flat=True))


def matching_areas(prefijos: list[str]) -> Q:
    """Areas of interest that match a request's codes, both ways:
    - the area lies under a code of the request (request "43" → an area "432115"): a prefix match
      on AreaInteres.prefijo, which its varchar_pattern_ops index serves;
    - the area contains a code of the request (an area "43" → a request for "43211503"): the
      supplier said it offers everything in that segment; an equality on the code's ancestors.
    """
    q = Q(pk__in=[])
    for prefijo in prefijos:
        q |= Q(prefijo__startswith=prefijo)
        ancestors = [prefijo[:n] for n in (2, 4, 6) if n < len(prefijo)]
        if ancestors:
            q |= Q(prefijo__in=ancestors)
    return q


def suppliers_active():
    """Accounts that may be invited: active, and supplying (a supplier, or an entity whose
    supplier profile is enabled, R4.3)."""
    return Entidad.objects.filter(estado=Entidad.Estado.ACTIVA).filter(
        Q(tipo_cuenta=TipoCuenta.PROVEEDOR) | Q(es_proveedor=True)
    )


def _candidates(envio: EnvioInvitaciones, solicitud: SolicitudInformacion):
    qs = suppliers_active().exclude(pk=solicitud.entidad_id)
    if envio.origen == InvitacionSolicitud.Origen.MANUAL:
        return qs.filter(pk__in=envio.cuentas)
    areas = AreaInteres.objects.filter(entidad_id=OuterRef("pk")).filter(matching_areas(_prefijos(solicitud)))
    return qs.filter(Exists(areas))


def _envio_create(*, solicitud, actor, origen: str, cuentas=()) -> EnvioInvitaciones:
    with transaction.atomic():
        solicitud = _lock(solicitud)
        _require_open(solicitud)
        envio = EnvioInvitaciones.objects.create(
            solicitud=solicitud, origen=origen, cuentas=list(cuentas), total=len(cuentas), creado_por=actor
        )
        from registro.entities.information_requests import tasks

        transaction.on_commit(lambda: tasks.run_envio.enqueue(envio.pk))
    return envio


def invitar_automatico(*, solicitud: SolicitudInformacion, actor) -> EnvioInvitaciones:
    """Invites, in the background, every active supplier whose areas of interest match the
    request's codes (`matching_areas`)."""
    return _envio_create(solicitud=solicitud, actor=actor, origen=InvitacionSolicitud.Origen.AUTOMATICA)


def invitar_manual(*, solicitud: SolicitudInformacion, actor, cuentas) -> EnvioInvitaciones:
    """Invites the accounts chosen by id (the directory's results, one by one or all of them), up to
    `SOLICITUD_INVITACIONES_MANUALES_MAX`. Accounts that are not active suppliers, the entity itself
    and those already invited are skipped (counted as "omitidas")."""
    ids = []
    for value in cuentas or []:
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            raise refusal(_("«%(v)s» no es el número de una cuenta.") % {"v": str(value)[:20]}, "cuentas") from None
        if not 1 <= number <= 2**63 - 1:
            raise refusal(_("«%(v)s» no es el número de una cuenta.") % {"v": str(value)[:20]}, "cuentas")
        if number not in ids:
            ids.append(number)
    if not ids:
        raise refusal(_("Elija al menos un Proveedor."), "cuentas")
    cap = settings.SOLICITUD_INVITACIONES_MANUALES_MAX
    if len(ids) > cap:
        raise refusal(
            _("Puede invitar hasta %(n)s Proveedores a la vez; eligió %(m)s.") % {"n": cap, "m": len(ids)}, "cuentas"
        )
    if not suppliers_active().filter(pk__in=ids).exclude(pk=solicitud.entidad_id).exists():
        raise refusal(_("Ninguna de las cuentas elegidas es un Proveedor activo."), "cuentas")
    return _envio_create(solicitud=solicitud, actor=actor, origen=InvitacionSolicitud.Origen.MANUAL, cuentas=ids)


def invitar_resultados(*, solicitud: SolicitudInformacion, actor, filtros) -> tuple[EnvioInvitaciones, bool]:
    """ "Invitar a todos los resultados": the accounts that supply among every result of a directory
    search (`directory.search.proveedores_ids`, all pages), the first
    `SOLICITUD_INVITACIONES_MANUALES_MAX` of them; True as well when there were more (not invited)."""
    ids, more = search.proveedores_ids(filtros, settings.SOLICITUD_INVITACIONES_MANUALES_MAX + 1)
    ids = [pk for pk in ids if pk != solicitud.entidad_id]
    cap = settings.SOLICITUD_INVITACIONES_MANUALES_MAX
    more = more or len(ids) > cap
    if not ids:
        raise refusal(_("Ninguno de los resultados de la búsqueda es un Proveedor activo."), "cuentas")
    return invitar_manual(solicitud=solicitud, actor=actor, cuentas=ids[:cap]), more


def _invitation_context(solicitud: SolicitudInformacion) -> dict:
    return {
        "solicitud": solicitud,
        "entidad": solicitud.entidad,
        "plazo": plazo_text(solicitud.plazo),
        "url": settings.SITE_URL + reverse("information_requests:recibida", kwargs={"pk": solicitud.pk}),
        "site_url": settings.SITE_URL,
    }


def _invitations_insert(*, solicitud, origen: str, proveedor_ids: list[int]) -> set[int]:
    """Invites these suppliers; returns those invited now. Idempotent: whoever is invited already
    (by an earlier run, or the other kind of invitation) is neither invited nor e-mailed again. On
    PostgreSQL one INSERT … SELECT … ON CONFLICT DO NOTHING on the unique (request, supplier)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO entities_invitacionsolicitud
                        (solicitud_id, proveedor_id, origen, estado, mensaje, respondida_por_id, respondida_at,
                         created_at)
                    SELECT %s, p, %s, %s, '', NULL, NULL, %s FROM unnest(%s::bigint[]) AS p
                    ON CONFLICT (solicitud_id, proveedor_id) DO NOTHING
                    RETURNING proveedor_id""",
                [solicitud.pk, origen, I.PENDIENTE, timezone.now(), proveedor_ids],
            )
            return {row[0] for row in cursor.fetchall()}
    ya = set(
        InvitacionSolicitud.objects.filter(solicitud=solicitud, proveedor_id__in=proveedor_ids).values_list(
            "proveedor_id", flat=True
        )
    )
    nuevos = [pk for pk in proveedor_ids if pk not in ya]
    InvitacionSolicitud.objects.bulk_create(
        InvitacionSolicitud(solicitud=solicitud, proveedor_id=pk, origen=origen) for pk in nuevos
    )
    return set(nuevos)


def _envio_step(envio_id: int) -> bool:
    """One batch of a run, in one transaction; False once the run is over."""
    with transaction.atomic():
        envio = EnvioInvitaciones.objects.only("solicitud_id").get(pk=envio_id)
        solicitud = _lock(envio.solicitud_id)
        envio = EnvioInvitaciones.objects.select_for_update().get(pk=envio_id)
        envio.solicitud = solicitud
        if envio.estado in (J.TERMINADO, J.INTERRUMPIDO):
            return False
        if not admite_respuestas(solicitud):
            workflow.ENVIO.apply(envio, J.INTERRUMPIDO)
            return False
        candidates = _candidates(envio, solicitud)
        if envio.estado == J.PENDIENTE:
            if envio.origen == InvitacionSolicitud.Origen.AUTOMATICA:
                envio.total = candidates.count()
            workflow.ENVIO.apply(envio, J.EN_CURSO, fields=["total"])
        lote = max(1, settings.SOLICITUD_INVITACIONES_LOTE)
        rows = list(
            candidates.filter(pk__gt=envio.cursor).order_by("pk").values_list("pk", "correo_notificaciones")[:lote]
        )
        if not rows:
            if envio.origen == InvitacionSolicitud.Origen.MANUAL:
                envio.procesados = envio.total
                envio.omitidos = envio.total - envio.invitados
            else:
                envio.total = envio.procesados
            workflow.ENVIO.apply(envio, J.TERMINADO, fields=["procesados", "omitidos", "total"])
            return False
        ids = [pk for pk, _correo in rows]
        creados = _invitations_insert(solicitud=solicitud, origen=envio.origen, proveedor_ids=ids)
        nuevos = [(pk, correo) for pk, correo in rows if pk in creados]
        detalle = workflow.solicitud_detalle(solicitud, cuenta=solicitud.entidad.nombre)
        events_record_many(
            entidad_ids=[pk for pk, _c in nuevos],
            tipo=T.SOLICITUD_INFO_INVITADA,
            actor_id=envio.creado_por_id,
            detalle=detalle,
        )
        email_queue_template_many(
            recipients=[correo for _pk, correo in nuevos],
            template=f"{EMAIL_TEMPLATES}_invitacion",
            context=_invitation_context(solicitud),
        )
        envio.cursor = ids[-1]
        envio.procesados += len(rows)
        envio.invitados += len(nuevos)
        if envio.origen == InvitacionSolicitud.Origen.AUTOMATICA:
            envio.omitidos += len(rows) - len(nuevos)
        envio.save(update_fields=["cursor", "procesados", "invitados", "omitidos"])
        return True


def envio_run(*, envio_id: int) -> EnvioInvitaciones:
    """The background task's body: batch after batch until every candidate is handled. Safe to
    run again, or twice at once: each batch locks the request and skips who is invited."""
    while _envio_step(envio_id):
        pass
    return EnvioInvitaciones.objects.get(pk=envio_id)


def invitados_notify(*, solicitud_id: int, aviso: str) -> int:
    """E-mails every invitee about a change ("plazo" or "cancelada") and records it in each
    supplier's history, in batches of `SOLICITUD_INVITACIONES_LOTE`. Returns how many."""
    tipo = {"plazo": T.SOLICITUD_INFO_PLAZO, "cancelada": T.SOLICITUD_INFO_CANCELADA}[aviso]
    solicitud = SolicitudInformacion.objects.select_related("entidad").get(pk=solicitud_id)
    context = {**_invitation_context(solicitud), "aviso": aviso}
    detalle = workflow.solicitud_detalle(solicitud, cuenta=solicitud.entidad.nombre)
    lote = max(1, settings.SOLICITUD_INVITACIONES_LOTE)
    cursor, total = 0, 0
    while True:
        rows = list(
            InvitacionSolicitud.objects.filter(solicitud=solicitud, pk__gt=cursor)
            .order_by("pk")
            .values_list("pk", "proveedor_id", "proveedor__correo_notificaciones")[:lote]
        )
        if not rows:
            return total
        with transaction.atomic():
            events_record_many(
                entidad_ids=[proveedor for _pk, proveedor, _c in rows],
                tipo=tipo,
                motivo=solicitud.motivo_cancelacion if aviso == "cancelada" else "",
                detalle=detalle,
            )
            email_queue_template_many(
                recipients=[correo for _pk, _p, correo in rows], template=f"{EMAIL_TEMPLATES}_{aviso}", context=context
            )
        cursor = rows[-1][0]
        total += len(rows)


def _notify_later(solicitud: SolicitudInformacion, aviso: str) -> None:
    from registro.entities.information_requests import tasks

    pk = solicitud.pk
    transaction.on_commit(lambda: tasks.notify_invitados.enqueue(pk, aviso))


def solicitud_extend(*, solicitud: SolicitudInformacion, actor, plazo) -> SolicitudInformacion:
    """A later deadline; a request closed by its deadline opens again. The invitees are told."""
    plazo = _clean_plazo(plazo)
    with transaction.atomic():
        solicitud = _lock(solicitud)
        if solicitud.estado == S.CANCELADA:
            raise refusal(_("La solicitud está cancelada; su plazo ya no se puede ampliar."), "plazo", status=409)
        if plazo <= solicitud.plazo:
            raise refusal(
                _("La nueva fecha debe ser posterior a la actual (%(plazo)s).")
                % {"plazo": plazo_text(solicitud.plazo)},
                "plazo",
            )
        detalle = {"plazo_anterior": solicitud.plazo.isoformat(), "plazo": plazo.isoformat()}
        solicitud.plazo = plazo
        if solicitud.estado == S.CERRADA:
            workflow.SOLICITUD.apply(solicitud, S.ABIERTA, fields=["plazo"], actor=actor, detalle=detalle)
        else:
            solicitud.save(update_fields=["plazo", "updated_at"])
            event_record(
                entidad=solicitud.entidad,
                tipo=T.SOLICITUD_INFO_PLAZO,
                actor=actor,
                detalle=workflow.solicitud_detalle(solicitud, **detalle),
            )
        _notify_later(solicitud, "plazo")
        _schedule_close(solicitud)
    return solicitud


def solicitud_cancel(*, solicitud: SolicitudInformacion, actor, motivo: str) -> SolicitudInformacion:
    motivo = _clean_text(motivo, "motivo", label=_("el motivo de la cancelación"), limit=MAX_MOTIVO)
    with transaction.atomic():
        solicitud = _lock(solicitud)
        solicitud.motivo_cancelacion = motivo
        workflow.SOLICITUD.apply(solicitud, S.CANCELADA, fields=["motivo_cancelacion"], actor=actor, motivo=motivo)
        _notify_later(solicitud, "cancelada")
    return solicitud


def solicitud_close(*, solicitud_id: int) -> SolicitudInformacion | None:
    """The deadline's task: closes the request if its (possibly extended) deadline has passed."""
    with transaction.atomic():
        solicitud = SolicitudInformacion.objects.filter(pk=solicitud_id).first()
        if solicitud is None:
            return None
        solicitud = _lock(solicitud)
        if solicitud.estado == S.ABIERTA and timezone.now() > solicitud.plazo:
            workflow.SOLICITUD.apply(solicitud, S.CERRADA)
    return solicitud


def _answer(*, invitacion: InvitacionSolicitud, actor, to: str, mensaje: str = "", archivos=()):
    with ExitStack() as keeping:
        filas = [keeping.enter_context(stored(AdjuntoRespuesta(invitacion=invitacion), a)) for a in archivos]
        with transaction.atomic():
            solicitud = _lock(invitacion.solicitud_id)
            locked = InvitacionSolicitud.objects.select_for_update().select_related("proveedor").get(pk=invitacion.pk)
            locked.solicitud = solicitud
            _require_open(solicitud, field="mensaje" if to == I.RESPONDIDA else None)
            workflow.INVITACION.check(locked, to)
            locked.mensaje = mensaje
            locked.respondida_por = actor
            workflow.INVITACION.apply(locked, to, fields=["mensaje", "respondida_por"], actor=actor)
            for fila in filas:
                fila.invitacion = locked
                fila.save()
    return locked


def respuesta_send(*, invitacion: InvitacionSolicitud, actor, mensaje: str, archivos=()) -> InvitacionSolicitud:
    """The supplier's answer, with its files, up to the deadline's last second (Bogotá time)."""
    mensaje = _clean_text(mensaje, "mensaje", label=_("su respuesta"), limit=MAX_TEXTO)
    archivos = _check_files(archivos)
    return _answer(invitacion=invitacion, actor=actor, to=I.RESPONDIDA, mensaje=mensaje, archivos=archivos)


def no_interesado(*, invitacion: InvitacionSolicitud, actor) -> InvitacionSolicitud:
    return _answer(invitacion=invitacion, actor=actor, to=I.NO_INTERESADO)
