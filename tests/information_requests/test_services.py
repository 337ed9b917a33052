"""The rules of information requests, through their services: creation, automatic and manual
invitations (idempotent, in batches, with one e-mail each), answers up to the deadline's last
second in Bogotá time, extension, cancellation and closing, each in both accounts' histories."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from registro.core.errors import ApplicationError
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.information_requests import services
from registro.entities.information_requests.models import (
    AdjuntoRespuesta,
    AdjuntoSolicitud,
    EnvioInvitaciones,
    InvitacionSolicitud,
    SolicitudInformacion,
)
from registro.notifications.models import OutboundEmail
from tests.entities.conftest import pdf_upload
from tests.information_requests.conftest import crear, manana, supplier

pytestmark = pytest.mark.django_db
T = EventoEntidad.Tipo
S = SolicitudInformacion.Estado
BOGOTA = zoneinfo.ZoneInfo("America/Bogota")


def test_create_keeps_codes_files_and_records_it(entidad, admin):
    solicitud = crear(entidad, admin, codigos=("43", "4412.0000"), archivos=[pdf_upload("pliego.pdf")])
    assert solicitud.estado == S.ABIERTA
    assert list(solicitud.codigos_solicitud.values_list("codigo_id", "prefijo")) == [
        ("43000000", "43"),
        ("44120000", "4412"),
    ]
    assert AdjuntoSolicitud.objects.get(solicitud=solicitud).nombre_original == "pliego.pdf"
    evento = EventoEntidad.objects.get(entidad=entidad, tipo=T.SOLICITUD_INFO_CREADA)
    assert evento.actor == admin and evento.detalle["solicitud_titulo"] == "Cotización de computadores"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"titulo": "  "}, "titulo", "Escriba el título."),
        ({"codigos": []}, "codigos", "Elija al menos un código del clasificador UNSPSC."),
        ({"codigos": ["99999999"]}, "codigos", "Estos códigos no están en el clasificador UNSPSC: 99999999."),
        ({"plazo": "past"}, "plazo", "La fecha y hora límite debe ser posterior al momento actual."),
        ({"plazo": "far"}, "plazo", "La fecha límite no puede estar a más de un año."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(entidad, admin, change, field, message):
    data = {
        "entidad": entidad,
        "actor": admin,
        "titulo": "Cotización",
        "descripcion": "Texto",
        "codigos": ["43000000"],
        "plazo": manana(),
        "archivos": [pdf_upload()],
    }
    if change.get("plazo") == "past":
        change = {"plazo": timezone.now() - timedelta(minutes=1)}
    elif change.get("plazo") == "far":
        change = {"plazo": timezone.now() + timedelta(days=400)}
    data.update(change)
    with pytest.raises(ApplicationError) as exc:
        services.solicitud_create(**data)
    assert exc.value.message == message and exc.value.detail["fields"] == {field: [message]}
    assert not SolicitudInformacion.objects.exists() and not AdjuntoSolicitud.objects.exists()
    assert not EventoEntidad.objects.filter(tipo=T.SOLICITUD_INFO_CREADA).exists()


def test_a_refused_file_leaves_nothing(entidad, admin, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("programa.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(ApplicationError):
        crear(entidad, admin, archivos=[pdf_upload(), bad])
    assert not SolicitudInformacion.objects.exists() and not AdjuntoSolicitud.objects.exists()


def test_a_supplier_account_cannot_create_requests(admin, proveedor):
    with pytest.raises(ApplicationError) as exc:
        crear(proveedor, admin)
    assert exc.value.status_code == 403


def test_automatic_invitation_matches_areas_both_ways(entidad, admin, sent):
    solicitud = crear(entidad, admin, codigos=("43210000",))  # a family
    bajo = supplier("43211503")  # a product under it
    sobre = supplier("43000000")  # its whole segment
    igual = supplier("43210000")
    otro = supplier("44120000")  # another segment
    hermano = supplier("43220000")  # another family of the same segment
    inactivo = supplier("43211503", estado=Entidad.Estado.SUSPENDIDA)
    entidad_proveedora = supplier("43211500", tipo_cuenta="entidad_estatal", es_proveedor=True)
    entidad_no_proveedora = supplier("43211500", tipo_cuenta="entidad_estatal")
    sent(services.invitar_automatico, solicitud=solicitud, actor=admin)
    invitados = set(solicitud.invitaciones.values_list("proveedor_id", flat=True))
    assert invitados == {bajo.pk, sobre.pk, igual.pk, entidad_proveedora.pk}
    assert otro.pk not in invitados and hermano.pk not in invitados
    assert inactivo.pk not in invitados and entidad_no_proveedora.pk not in invitados
    envio = EnvioInvitaciones.objects.get()
    assert (envio.estado, envio.total, envio.procesados, envio.invitados, envio.omitidos) == (
        EnvioInvitaciones.Estado.TERMINADO,
        4,
        4,
        4,
        0,
    )
    # One e-mail per invitee, to its notification address, with the link to the invitation.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Entidad.objects.get(pk=pk).correo_notificaciones for pk in invitados
    )
    assert f"/proveedor/invitaciones-recibidas/{solicitud.pk}/" in mail.outbox[0].body
    # Both histories.
    assert EventoEntidad.objects.filter(tipo=T.SOLICITUD_INFO_INVITADA, entidad_id__in=invitados).count() == 4
    resumen = EventoEntidad.objects.get(entidad=entidad, tipo=T.SOLICITUD_INFO_INVITACIONES)
    assert resumen.detalle["invitados"] == 4 and resumen.actor == admin


def test_the_requesting_entity_is_never_invited_to_its_own_request(admin, sent):
    entidad = supplier("43000000", tipo_cuenta="entidad_estatal", es_proveedor=True)
    solicitud = crear(entidad, admin)
    sent(services.invitar_automatico, solicitud=solicitud, actor=admin)
    assert not solicitud.invitaciones.exists()


def test_running_again_invites_and_emails_nobody_twice(entidad, admin, sent, settings):
    settings.SOLICITUD_INVITACIONES_LOTE = 2
    suppliers = [supplier("43211500") for _ in range(5)]
    solicitud = crear(entidad, admin)
    sent(services.invitar_automatico, solicitud=solicitud, actor=admin)
    assert solicitud.invitaciones.count() == 5 and len(mail.outbox) == 5
    nuevo = supplier("43211500")
    sent(services.invitar_automatico, solicitud=solicitud, actor=admin)
    sent(services.invitar_manual, solicitud=solicitud, actor=admin, cuentas=[s.pk for s in suppliers])
    assert solicitud.invitaciones.count() == 6 and len(mail.outbox) == 6
    assert mail.outbox[-1].to == [nuevo.correo_notificaciones]
    segundo, manual = EnvioInvitaciones.objects.order_by("id")[1:]
    assert (segundo.invitados, segundo.omitidos) == (1, 5)
    assert (manual.total, manual.invitados, manual.omitidos) == (5, 0, 5)
    # Re-running a finished run does nothing.
    services.envio_run(envio_id=segundo.pk)
    assert solicitud.invitaciones.count() == 6


def test_a_run_resumes_from_its_cursor(entidad, admin, settings, django_capture_on_commit_callbacks):
    settings.SOLICITUD_INVITACIONES_LOTE = 2
    for _ in range(5):
        supplier("43211500")
    solicitud = crear(entidad, admin)
    with django_capture_on_commit_callbacks(execute=False):  # the task does not run yet
        envio = services.invitar_automatico(solicitud=solicitud, actor=admin)
    assert envio.estado == EnvioInvitaciones.Estado.PENDIENTE
    assert services._envio_step(envio.pk) is True  # one batch: the task's progress on the page
    envio.refresh_from_db()
    assert (envio.estado, envio.procesados, envio.total, envio.porcentaje) == ("en_curso", 2, 5, 40)
    services.envio_run(envio_id=envio.pk)
    envio.refresh_from_db()
    assert (envio.estado, envio.procesados, envio.invitados) == ("terminado", 5, 5)


def test_emails_are_queued_in_batches_and_sent_by_batch_tasks(entidad, admin, settings, sent, monkeypatch):
    settings.EMAIL_BATCH_SIZE = 3
    settings.SOLICITUD_INVITACIONES_LOTE = 100
    for _ in range(7):
        supplier("43211500")
    from registro.notifications import services as notifications

    batches = []
    original = notifications.email_send_batch
    monkeypatch.setattr(
        notifications, "email_send_batch", lambda email_ids: batches.append(email_ids) or original(email_ids=email_ids)
    )
    solicitud = crear(entidad, admin)
    sent(services.invitar_automatico, solicitud=solicitud, actor=admin)
    assert [len(b) for b in batches] == [3, 3, 1]
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 7 == len(mail.outbox)


def test_manual_invitation_checks_ids_and_the_cap(entidad, admin, proveedor, sent, settings):
    solicitud = crear(entidad, admin)
    settings.SOLICITUD_INVITACIONES_MANUALES_MAX = 2
    otros = [supplier(), supplier()]
    with pytest.raises(ApplicationError) as exc:
        services.invitar_manual(solicitud=solicitud, actor=admin, cuentas=[proveedor.pk, *[o.pk for o in otros]])
    assert exc.value.message == "Puede invitar hasta 2 Proveedores a la vez; eligió 3."
    with pytest.raises(ApplicationError) as exc:
        services.invitar_manual(solicitud=solicitud, actor=admin, cuentas=["abc"])
    assert exc.value.detail["fields"] == {"cuentas": ["«abc» no es el número de una cuenta."]}
    with pytest.raises(ApplicationError) as exc:
        services.invitar_manual(solicitud=solicitud, actor=admin, cuentas=[entidad.pk])
    assert exc.value.message == "Ninguna de las cuentas elegidas es un Proveedor activo."
    assert not EnvioInvitaciones.objects.exists()
    suspendido = supplier(estado=Entidad.Estado.SUSPENDIDA)
    sent(services.invitar_manual, solicitud=solicitud, actor=admin, cuentas=[proveedor.pk, suspendido.pk])
    assert list(solicitud.invitaciones.values_list("proveedor_id", "origen")) == [(proveedor.pk, "manual")]
    envio = EnvioInvitaciones.objects.get()
    assert (envio.total, envio.invitados, envio.omitidos, envio.procesados) == (2, 1, 1, 2)


def _invited(solicitud, proveedor, admin, sent):
    sent(services.invitar_manual, solicitud=solicitud, actor=admin, cuentas=[proveedor.pk])
    return InvitacionSolicitud.objects.get(solicitud=solicitud, proveedor=proveedor)


def test_answer_with_files_is_recorded_in_both_histories(solicitud, admin, proveedor, proveedor_admin, sent):
    invitacion = _invited(solicitud, proveedor, admin, sent)
    services.respuesta_send(
        invitacion=invitacion, actor=proveedor_admin, mensaje="Cotizamos a $2.500.000 c/u.", archivos=[pdf_upload()]
    )
    invitacion.refresh_from_db()
    assert invitacion.estado == InvitacionSolicitud.Estado.RESPONDIDA and invitacion.respondida_por == proveedor_admin
    assert AdjuntoRespuesta.objects.filter(invitacion=invitacion).count() == 1
    eventos = EventoEntidad.objects.filter(tipo=T.SOLICITUD_INFO_RESPONDIDA)
    assert {e.entidad_id for e in eventos} == {solicitud.entidad_id, proveedor.pk}
    with pytest.raises(ApplicationError) as exc:
        services.no_interesado(invitacion=invitacion, actor=proveedor_admin)
    assert exc.value.message == "Esta invitación ya fue respondida."


def test_no_interesado(solicitud, admin, proveedor, proveedor_admin, sent):
    invitacion = _invited(solicitud, proveedor, admin, sent)
    services.no_interesado(invitacion=invitacion, actor=proveedor_admin)
    invitacion.refresh_from_db()
    assert invitacion.estado == InvitacionSolicitud.Estado.NO_INTERESADO and invitacion.mensaje == ""
    assert EventoEntidad.objects.filter(tipo=T.SOLICITUD_INFO_NO_INTERESADO).count() == 2


def test_the_deadline_last_second_is_accepted_and_the_next_refused(
    entidad, admin, proveedor, proveedor_admin, sent, monkeypatch
):
    plazo = datetime(2031, 3, 14, 17, 0, tzinfo=BOGOTA)
    monkeypatch.setattr(timezone, "now", lambda: datetime(2031, 3, 1, 8, 0, tzinfo=BOGOTA))
    solicitud = crear(entidad, admin, plazo=plazo)
    otro = supplier()
    invitacion = _invited(solicitud, proveedor, admin, sent)
    tarde = _invited(solicitud, otro, admin, sent)
    monkeypatch.setattr(timezone, "now", lambda: plazo)  # 17:00:00 Bogotá: still on time
    services.respuesta_send(invitacion=invitacion, actor=proveedor_admin, mensaje="A tiempo")
    monkeypatch.setattr(timezone, "now", lambda: plazo + timedelta(seconds=1))
    with pytest.raises(ApplicationError) as exc:
        services.respuesta_send(invitacion=tarde, actor=proveedor_admin, mensaje="Tarde", archivos=[pdf_upload()])
    assert exc.value.status_code == 409
    assert exc.value.message == (
        "El plazo para responder venció el 14 de marzo de 2031 a las 17:00 (hora de Bogotá); ya no se reciben respuestas."
    )
    tarde.refresh_from_db()
    assert tarde.estado == "pendiente" and not AdjuntoRespuesta.objects.filter(invitacion=tarde).exists()
    with pytest.raises(ApplicationError):
        services.no_interesado(invitacion=tarde, actor=proveedor_admin)
    # The closing task closes it now; before the deadline, it would not.
    assert services.solicitud_close(solicitud_id=solicitud.pk).estado == S.CERRADA
    assert EventoEntidad.objects.filter(entidad=entidad, tipo=T.SOLICITUD_INFO_CERRADA).count() == 1


def test_the_closing_task_leaves_an_open_request_alone(solicitud):
    assert services.solicitud_close(solicitud_id=solicitud.pk).estado == S.ABIERTA
    assert services.solicitud_close(solicitud_id=10**9) is None


def test_extension_notifies_invitees_and_reopens_a_closed_request(
    entidad, admin, proveedor, proveedor_admin, sent, monkeypatch
):
    start = timezone.now()
    solicitud = crear(entidad, admin, plazo=start + timedelta(hours=1))
    invitacion = _invited(solicitud, proveedor, admin, sent)
    mail.outbox.clear()
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(hours=2))
    services.solicitud_close(solicitud_id=solicitud.pk)
    with pytest.raises(ApplicationError) as exc:
        services.solicitud_extend(solicitud=solicitud, actor=admin, plazo=start + timedelta(hours=1, minutes=30))
    assert exc.value.detail["fields"]["plazo"] == ["La fecha y hora límite debe ser posterior al momento actual."]
    nuevo = start + timedelta(days=3)
    sent(services.solicitud_extend, solicitud=solicitud, actor=admin, plazo=nuevo)
    solicitud.refresh_from_db()
    assert (solicitud.estado, solicitud.plazo) == (S.ABIERTA, nuevo)
    assert [m.to for m in mail.outbox] == [[proveedor.correo_notificaciones]]
    assert "amplió el plazo" in mail.outbox[0].body
    assert EventoEntidad.objects.filter(tipo=T.SOLICITUD_INFO_PLAZO, entidad=proveedor).count() == 1
    assert EventoEntidad.objects.filter(tipo=T.SOLICITUD_INFO_PLAZO, entidad=entidad).count() == 1
    services.respuesta_send(invitacion=invitacion, actor=proveedor_admin, mensaje="Con el nuevo plazo")
    with pytest.raises(ApplicationError) as exc:
        services.solicitud_extend(solicitud=solicitud, actor=admin, plazo=nuevo)
    assert exc.value.message.startswith("La nueva fecha debe ser posterior a la actual")


def test_cancel_needs_a_reason_notifies_and_stops_answers(solicitud, admin, proveedor, proveedor_admin, sent):
    invitacion = _invited(solicitud, proveedor, admin, sent)
    mail.outbox.clear()
    with pytest.raises(ApplicationError) as exc:
        services.solicitud_cancel(solicitud=solicitud, actor=admin, motivo=" ")
    assert exc.value.detail["fields"] == {"motivo": ["Escriba el motivo de la cancelación."]}
    sent(services.solicitud_cancel, solicitud=solicitud, actor=admin, motivo="Se declaró desierta la necesidad.")
    solicitud.refresh_from_db()
    assert solicitud.estado == S.CANCELADA and solicitud.cancelada_at is not None
    assert [m.to for m in mail.outbox] == [[proveedor.correo_notificaciones]]
    assert "Se declaró desierta la necesidad." in mail.outbox[0].body
    assert EventoEntidad.objects.filter(tipo=T.SOLICITUD_INFO_CANCELADA).count() == 2
    with pytest.raises(ApplicationError) as exc:
        services.respuesta_send(invitacion=invitacion, actor=proveedor_admin, mensaje="Hola")
    assert exc.value.message == "La Entidad canceló esta solicitud de información."
    with pytest.raises(ApplicationError):
        services.solicitud_cancel(solicitud=solicitud, actor=admin, motivo="Otra vez")
    with pytest.raises(ApplicationError):
        services.solicitud_extend(solicitud=solicitud, actor=admin, plazo=manana(48))
    with pytest.raises(ApplicationError):
        services.invitar_automatico(solicitud=solicitud, actor=admin)


def test_a_run_stops_when_the_request_is_cancelled(entidad, admin, settings, django_capture_on_commit_callbacks):
    settings.SOLICITUD_INVITACIONES_LOTE = 1
    supplier("43211500"), supplier("43211500")
    solicitud = crear(entidad, admin)
    with django_capture_on_commit_callbacks(execute=False):
        envio = services.invitar_automatico(solicitud=solicitud, actor=admin)
    services._envio_step(envio.pk)
    with django_capture_on_commit_callbacks(execute=False):
        services.solicitud_cancel(solicitud=solicitud, actor=admin, motivo="Ya no se necesita")
    services.envio_run(envio_id=envio.pk)
    envio.refresh_from_db()
    assert envio.estado == EnvioInvitaciones.Estado.INTERRUMPIDO and solicitud.invitaciones.count() == 1


def test_open_requests_for_the_directory(entidad, admin, sent):
    """What the Directorio's "Invitar a una solicitud de información" offers: open, deadline not
    passed (whether or not the closing task has run yet), this entity's, the nearest deadline first."""
    from registro.entities.information_requests import selectors

    abierta = crear(entidad, admin, titulo="Abierta")
    pronto = crear(entidad, admin, titulo="Más pronto", plazo=manana(2))
    vencida = crear(entidad, admin, titulo="Vencida", plazo=manana(3))
    SolicitudInformacion.objects.filter(pk=vencida.pk).update(plazo=timezone.now() - timedelta(seconds=1))
    cancelada = crear(entidad, admin, titulo="Cancelada")
    sent(services.solicitud_cancel, solicitud=cancelada, actor=admin, motivo="No")
    otra = crear(supplier(tipo_cuenta="entidad_estatal"), admin, titulo="De otra Entidad")
    assert list(selectors.solicitudes_abiertas(entidad)) == [pronto, abierta]
    assert otra not in selectors.solicitudes_abiertas(entidad)
    assert selectors.solicitudes_abiertas(otra.entidad) == [otra]
