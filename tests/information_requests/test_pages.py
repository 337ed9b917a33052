"""The pages of information requests: the entity's (list, form with the UNSPSC picker, the
request's page with counts, countdown, progress and answers, invite, extend, cancel) and the
supplier's ("Invitaciones recibidas", answer, "No interesado"), with their permissions: 403
without the permission, 404 for other accounts' requests, and guarded downloads."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registro.entities.account.models import EventoEntidad
from registro.entities.information_requests import services
from registro.entities.information_requests.models import (
    AdjuntoRespuesta,
    AdjuntoSolicitud,
    EnvioInvitaciones,
    InvitacionSolicitud,
    SolicitudInformacion,
)
from tests.entities.conftest import pdf_upload
from tests.factories import DeskUserFactory, EntidadFactory, MembresiaFactory, UserFactory
from tests.information_requests.conftest import client_for, crear, supplier

pytestmark = pytest.mark.django_db


def _form(**extra):
    plazo = timezone.localtime(timezone.now() + timedelta(days=5), services.BOGOTA)
    return {
        "titulo": "Cotización de papelería",
        "descripcion": "Resmas, carpetas y tóner para un año.",
        "areas": ["44120000"],
        "plazo_fecha": plazo.strftime("%Y-%m-%d"),
        "plazo_hora": "17:00",
        "accion": "crear",
        **extra,
    }


def test_create_through_the_form(admin, entidad):
    client = client_for(admin)
    page = client.get(reverse("information_requests:nueva"))
    assert page.status_code == 200 and "Bienes y servicios de la solicitud" in page.content.decode()
    response = client.post(reverse("information_requests:nueva"), {**_form(), "archivos": [pdf_upload("anexo.pdf")]})
    solicitud = SolicitudInformacion.objects.get()
    assert response.status_code == 302 and response.url == reverse("information_requests:detalle", args=[solicitud.pk])
    plazo = timezone.localtime(solicitud.plazo, services.BOGOTA)
    assert (plazo.hour, plazo.minute) == (17, 0)  # Bogotá time, whatever the server's
    assert solicitud.adjuntos.get().nombre_original == "anexo.pdf"
    listing = client.get(reverse("information_requests:lista")).content.decode()
    assert "Cotización de papelería" in listing


def test_the_picker_buttons_keep_what_was_typed(admin):
    client = client_for(admin)
    response = client.post(
        reverse("information_requests:nueva"), _form(accion="buscar_unspsc", unspsc_q="computadores")
    )
    body = response.content.decode()
    assert response.status_code == 200 and not SolicitudInformacion.objects.exists()
    assert 'value="Cotización de papelería"' in body and "43211500" in body
    assert 'name="areas" value="44120000"' in body and "checked" in body


def test_form_errors_are_listed_and_nothing_is_saved(admin):
    client = client_for(admin)
    response = client.post(reverse("information_requests:nueva"), _form(titulo="", areas=[], plazo_fecha="2020-01-01"))
    body = response.content.decode()
    assert response.status_code == 400 and not SolicitudInformacion.objects.exists()
    assert 'id="resumen-errores"' in body and "Elija al menos un código del clasificador UNSPSC." in body
    response = client.post(reverse("information_requests:nueva"), _form(plazo_fecha="2020-01-01"))
    assert response.status_code == 400
    assert '<a href="#id_plazo_fecha">' in response.content.decode()
    assert "posterior al momento actual" in response.content.decode()
    assert not SolicitudInformacion.objects.exists()


def test_permissions_on_the_entity_pages(entidad, admin, comprador, gestor, solicitud, proveedor_admin):
    urls = [
        reverse("information_requests:lista"),
        reverse("information_requests:nueva"),
        reverse("information_requests:detalle", args=[solicitud.pk]),
    ]
    for url in urls:
        assert client_for(comprador).get(url).status_code == 403
        assert client_for(gestor).get(url).status_code == 200
        assert client_for(admin).get(url).status_code == 200
        # A supplier's Administrador holds every permission, but suppliers have no requests.
        assert client_for(proveedor_admin).get(url).status_code == 403
    for accion in ("invitar", "ampliar", "cancelar"):
        assert (
            client_for(comprador).post(reverse(f"information_requests:{accion}", args=[solicitud.pk])).status_code
            == 403
        )
    assert client_for(UserFactory()).get(urls[0]).status_code == 302  # no account: section 3
    assert client_for(DeskUserFactory()).get(urls[0]).status_code == 302
    assert client_for(UserFactory()).get(urls[0]).url == reverse("entities:landing")


def test_another_entitys_request_is_not_found(solicitud):
    otra = EntidadFactory(estado="activa")
    otro_admin = MembresiaFactory(entidad=otra).usuario
    client = client_for(otro_admin)
    assert client.get(reverse("information_requests:detalle", args=[solicitud.pk])).status_code == 404
    for accion in ("invitar", "ampliar", "cancelar"):
        assert client.post(reverse(f"information_requests:{accion}", args=[solicitud.pk])).status_code == 404
    solicitud.refresh_from_db()
    assert solicitud.estado == "abierta"


def test_invite_from_the_page_and_see_progress_and_counts(admin, solicitud, proveedor, sent):
    client = client_for(admin)
    otro = supplier("43211503")
    response = sent(client.post, reverse("information_requests:invitar", args=[solicitud.pk]), {"accion": "automatica"})
    assert response.status_code == 302
    assert solicitud.invitaciones.count() == 2
    page = client.get(reverse("information_requests:detalle", args=[solicitud.pk])).content.decode()
    assert '<dd id="n-invitados">2</dd>' in page and '<dd id="n-respondidas">0</dd>' in page
    assert "2 de 2" in page and "Terminado" in page and "Faltan " in page
    response = sent(
        client.post,
        reverse("information_requests:invitar", args=[solicitud.pk]),
        {"accion": "manual", "cuentas": f"{otro.pk}, {proveedor.pk}"},
    )
    assert response.status_code == 302 and solicitud.invitaciones.count() == 2
    assert EnvioInvitaciones.objects.count() == 2
    response = client.post(
        reverse("information_requests:invitar", args=[solicitud.pk]), {"accion": "manual", "cuentas": "x1"}
    )
    assert response.status_code == 400 and "«x1» no es el número de una cuenta." in response.content.decode()


def test_extend_and_cancel_from_the_page(admin, solicitud, proveedor, sent):
    client = client_for(admin)
    sent(services.invitar_manual, solicitud=solicitud, actor=admin, cuentas=[proveedor.pk])
    nuevo = timezone.localtime(solicitud.plazo + timedelta(days=2), services.BOGOTA)
    response = client.post(
        reverse("information_requests:ampliar", args=[solicitud.pk]),
        {"plazo_fecha": "2020-01-01", "plazo_hora": "08:00"},
    )
    assert response.status_code == 400 and "posterior al momento actual" in response.content.decode()
    response = sent(
        client.post,
        reverse("information_requests:ampliar", args=[solicitud.pk]),
        {"plazo_fecha": nuevo.strftime("%Y-%m-%d"), "plazo_hora": "09:30"},
    )
    assert response.status_code == 302
    solicitud.refresh_from_db()
    assert timezone.localtime(solicitud.plazo, services.BOGOTA).strftime("%Y-%m-%d %H:%M") == nuevo.strftime(
        "%Y-%m-%d 09:30"
    )
    response = client.post(reverse("information_requests:cancelar", args=[solicitud.pk]), {"motivo": ""})
    assert response.status_code == 400
    response = sent(
        client.post, reverse("information_requests:cancelar", args=[solicitud.pk]), {"motivo": "Sin presupuesto"}
    )
    solicitud.refresh_from_db()
    assert response.status_code == 302 and solicitud.estado == "cancelada"
    page = client.get(reverse("information_requests:detalle", args=[solicitud.pk])).content.decode()
    assert "Sin presupuesto" in page and "Ampliar el plazo" not in page


def _invite(solicitud, proveedor, admin, sent):
    sent(services.invitar_manual, solicitud=solicitud, actor=admin, cuentas=[proveedor.pk])
    return InvitacionSolicitud.objects.get(solicitud=solicitud, proveedor=proveedor)


def test_the_supplier_answers_from_its_pages(admin, solicitud, proveedor, proveedor_admin, sent):
    _invite(solicitud, proveedor, admin, sent)
    client = client_for(proveedor_admin)
    listing = client.get(reverse("information_requests:recibidas")).content.decode()
    assert "Cotización de computadores" in listing and "ALCALDIA DE TUNJA" in listing
    url = reverse("information_requests:recibida", args=[solicitud.pk])
    page = client.get(url).content.decode()
    assert "Enviar respuesta" in page and "Faltan " in page
    response = client.post(reverse("information_requests:responder", args=[solicitud.pk]), {"mensaje": ""})
    assert response.status_code == 400 and 'id="resumen-errores"' in response.content.decode()
    response = client.post(
        reverse("information_requests:responder", args=[solicitud.pk]),
        {"mensaje": "Ofrecemos 40 equipos.", "archivos": [pdf_upload("cotizacion.pdf")]},
    )
    assert response.status_code == 302
    invitacion = InvitacionSolicitud.objects.get()
    assert invitacion.estado == "respondida" and invitacion.adjuntos.get().nombre_original == "cotizacion.pdf"
    entity_page = client_for(admin).get(reverse("information_requests:detalle", args=[solicitud.pk])).content.decode()
    assert "Ofrecemos 40 equipos." in entity_page and '<dd id="n-respondidas">1</dd>' in entity_page
    assert "cotizacion.pdf" in entity_page


def test_no_interesado_from_the_page(admin, solicitud, proveedor, proveedor_admin, sent):
    _invite(solicitud, proveedor, admin, sent)
    response = client_for(proveedor_admin).post(reverse("information_requests:no_interesado", args=[solicitud.pk]))
    assert response.status_code == 302 and InvitacionSolicitud.objects.get().estado == "no_interesado"
    page = client_for(admin).get(reverse("information_requests:detalle", args=[solicitud.pk])).content.decode()
    assert '<dd id="n-no-interesado">1</dd>' in page


def test_after_the_deadline_the_page_refuses_the_answer(admin, entidad, proveedor, proveedor_admin, sent, monkeypatch):
    solicitud = crear(entidad, admin, plazo=timezone.now() + timedelta(minutes=5))
    _invite(solicitud, proveedor, admin, sent)
    later = timezone.now() + timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client = client_for(proveedor_admin)
    page = client.get(reverse("information_requests:recibida", args=[solicitud.pk])).content.decode()
    assert "El plazo para responder venció" in page and "Enviar respuesta" not in page
    response = client.post(reverse("information_requests:responder", args=[solicitud.pk]), {"mensaje": "Tarde"})
    assert response.status_code == 400
    assert "ya no se reciben respuestas" in response.content.decode()
    assert InvitacionSolicitud.objects.get().estado == "pendiente"


def test_supplier_permissions(admin, solicitud, proveedor, proveedor_usuario, sent, comprador):
    _invite(solicitud, proveedor, admin, sent)
    client = client_for(proveedor_usuario)
    # A plain user of the supplier sees the invitation but may not answer.
    page = client.get(reverse("information_requests:recibida", args=[solicitud.pk]))
    assert page.status_code == 200 and "Su rol no le permite responder" in page.content.decode()
    assert (
        client.post(reverse("information_requests:responder", args=[solicitud.pk]), {"mensaje": "x"}).status_code == 403
    )
    assert client.post(reverse("information_requests:no_interesado", args=[solicitud.pk])).status_code == 403
    # Another supplier, not invited: 404.
    otro = MembresiaFactory(entidad=supplier()).usuario
    assert client_for(otro).get(reverse("information_requests:recibida", args=[solicitud.pk])).status_code == 404
    assert client_for(otro).post(reverse("information_requests:no_interesado", args=[solicitud.pk])).status_code == 404
    # An entity that does not supply has no "Invitaciones recibidas".
    assert client_for(comprador).get(reverse("information_requests:recibidas")).status_code == 403
    assert InvitacionSolicitud.objects.get().estado == "pendiente"


def test_downloads_are_guarded(admin, gestor, comprador, entidad, proveedor, proveedor_admin, proveedor_usuario, sent):
    solicitud = crear(entidad, admin, archivos=[pdf_upload("pliego.pdf")])
    invitacion = _invite(solicitud, proveedor, admin, sent)
    services.respuesta_send(
        invitacion=invitacion, actor=proveedor_admin, mensaje="Oferta", archivos=[pdf_upload("oferta.pdf")]
    )
    otro_invitado = supplier()
    sent(services.invitar_manual, solicitud=solicitud, actor=admin, cuentas=[otro_invitado.pk])
    otro_usuario = MembresiaFactory(entidad=otro_invitado).usuario
    extrano = MembresiaFactory(entidad=EntidadFactory(estado="activa")).usuario
    del_pliego = reverse("information_requests:adjunto_solicitud", args=[AdjuntoSolicitud.objects.get().pk])
    de_la_oferta = reverse("information_requests:adjunto_respuesta", args=[AdjuntoRespuesta.objects.get().pk])
    for user in (admin, gestor, proveedor_admin, proveedor_usuario, otro_usuario):
        response = client_for(user).get(del_pliego)
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    for user in (comprador, extrano):
        assert client_for(user).get(del_pliego).status_code == 404
    for user in (admin, gestor, proveedor_admin, proveedor_usuario):
        assert client_for(user).get(de_la_oferta).status_code == 200
    # Other invitees never see another supplier's answer.
    for user in (comprador, extrano, otro_usuario):
        assert client_for(user).get(de_la_oferta).status_code == 404
    assert client_for(UserFactory()).get(de_la_oferta).status_code == 404
    anonymous = client_for(admin)
    anonymous.logout()
    assert anonymous.get(de_la_oferta).status_code == 302


def test_history_shows_the_steps(admin, solicitud, proveedor, proveedor_admin, sent):
    _invite(solicitud, proveedor, admin, sent)
    tipos = set(EventoEntidad.objects.filter(entidad=proveedor).values_list("tipo", flat=True))
    assert EventoEntidad.Tipo.SOLICITUD_INFO_INVITADA in tipos
    page = client_for(admin).get(reverse("console:historial")).content.decode()
    assert "Solicitud de información creada" in page and "«Cotización de computadores»" in page
    supplier_page = client_for(proveedor_admin).get(reverse("console:historial")).content.decode()
    assert (
        "Invitación a una solicitud de información recibida" in supplier_page and "ALCALDIA DE TUNJA" in supplier_page
    )
