"""A change of NIT or legal name asked for from the account's "Editar datos" reaches the Mesa de
Servicio as a case with the values asked for; the desk applies it with "Aplicar el cambio" (page
and API, one action table): the account changes, its history records it, the case is resolved and
the account is told by e-mail. A NIT taken meanwhile is a clear refusal and nothing changes."""

import pytest
from django.core import mail

from registro.core.text import search_key
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.registration.rules import nit_check_digit
from registro.entities.supplier import profile
from registro.servicedesk import services
from registro.servicedesk.forms import CasoForm
from registro.servicedesk.models import Asunto, Caso
from tests.entities.supplier_world import API, logged_in
from tests.factories import EntidadFactory


@pytest.fixture
def solicitud(world, django_capture_on_commit_callbacks):
    """The supplier's administrator asked for a new NIT and legal name; the desk took the case."""
    with django_capture_on_commit_callbacks(execute=True):
        edit = profile.perfil_update(
            entidad=world.proveedor,
            user=world.admin,
            data={"nit": "900123457", "nombre": "Suministros Andinos del Pacífico SAS"},
        )
    caso = Caso.objects.get(numero=edit.caso)
    mail.outbox.clear()
    return caso


def take(world, caso):
    services.caso_take(caso=caso, staff=world.desk)
    caso.refresh_from_db()
    return caso


def test_the_desk_sees_the_request_and_applies_it_from_the_case_page(world, solicitud, sent):
    desk = logged_in(world.desk)
    html = desk.get(f"/casos/{solicitud.numero}/").content.decode()
    assert "Cambio de NIT o razón social" in html and "Cambios solicitados" in html
    assert "SUMINISTROS ANDINOS DEL PACIFICO SAS" in html and f"900123457-{nit_check_digit('900123457')}" in html
    take(world, solicitud)
    html = desk.get(f"/casos/{solicitud.numero}/").content.decode()
    assert "Aplicar el cambio" in html and "Responder y resolver" in html
    response = sent(desk.post, f"/mesa/casos/{solicitud.numero}/aplicar_cambio/", {"motivo": "RUT revisado."})
    assert response.status_code == 302
    entidad = Entidad.objects.get(pk=world.proveedor.pk)
    assert (entidad.nit, entidad.dv) == ("900123457", nit_check_digit("900123457"))
    assert entidad.nombre == "SUMINISTROS ANDINOS DEL PACIFICO SAS"
    assert entidad.nombre_busqueda == search_key("Suministros Andinos del Pacífico SAS")
    caso = Caso.objects.get(pk=solicitud.pk)
    assert caso.estado == Caso.Estado.RESUELTO and caso.resuelto_at is not None
    assert caso.eventos.last().tipo == "cambio_aplicado"
    evento = EventoEntidad.objects.get(entidad=entidad, tipo=EventoEntidad.Tipo.CAMBIO_APLICADO)
    assert evento.actor == world.desk and evento.motivo == "RUT revisado." and evento.detalle["caso"] == caso.numero
    assert evento.detalle["cambios"]["nit"]["antes"] == f"900123456-{nit_check_digit('900123456')}"
    assert evento.detalle["cambios"]["nombre"] == {
        "antes": "SUMINISTROS ANDINOS SAS",
        "despues": "SUMINISTROS ANDINOS DEL PACIFICO SAS",
    }
    [message] = mail.outbox
    assert sorted(message.to) == sorted({entidad.correo_notificaciones, world.admin.email})
    assert "Cambio de NIT o razón social aplicado" in message.subject
    assert "900123457" in message.body and "SUMINISTROS ANDINOS DEL PACIFICO SAS" in message.body
    # The account's history and profile tell it too.
    historial = logged_in(world.admin).get("/entidad/historial/").content.decode()
    assert "Cambio de NIT o razón social aplicado" in historial and caso.numero in historial
    assert "ya fue aplicado por la Mesa de Servicio" in logged_in(world.admin).get("/entidad/perfil/").content.decode()


def test_the_desk_applies_it_through_the_api(world, solicitud, sent):
    desk = logged_in(world.desk)
    url = f"{API}/mesa/casos/{solicitud.numero}/acciones/aplicar_cambio"
    early = desk.post(url, {}, content_type="application/json")
    assert (early.status_code, early.json()["code"]) == (409, "invalid_transition")  # to be taken first
    take(world, solicitud)
    response = sent(desk.post, url, {"motivo": ""}, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["estado"] == "resuelto" and response.json()["cambios"] == solicitud.cambios
    assert Entidad.objects.get(pk=world.proveedor.pk).nit == "900123457"


def test_a_nit_taken_meanwhile_is_refused_and_nothing_changes(world, solicitud):
    take(world, solicitud)
    EntidadFactory(nit="900123457", dv=nit_check_digit("900123457"), estado=Entidad.Estado.ACTIVA)
    before = Entidad.objects.filter(pk=world.proveedor.pk).values().get()
    response = logged_in(world.desk).post(
        f"{API}/mesa/casos/{solicitud.numero}/acciones/aplicar_cambio", {}, content_type="application/json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "entidad_nit_registrado"
    assert "Ya hay otra cuenta registrada con la identificación 900123457" in body["message"]
    assert Entidad.objects.filter(pk=world.proveedor.pk).values().get() == before
    assert Caso.objects.get(pk=solicitud.pk).estado == Caso.Estado.EN_REVISION
    assert not EventoEntidad.objects.filter(tipo=EventoEntidad.Tipo.CAMBIO_APLICADO).exists()
    assert mail.outbox == []
    # The page shows the same refusal.
    page = logged_in(world.desk).post(f"/mesa/casos/{solicitud.numero}/aplicar_cambio/", follow=True)
    assert "Ya hay otra cuenta registrada con la identificación 900123457" in page.content.decode()


def test_the_desk_may_decline_by_answering(world, solicitud, sent):
    take(world, solicitud)
    response = sent(
        logged_in(world.desk).post,
        f"/mesa/casos/{solicitud.numero}/resolver/",
        {"motivo": "El RUT anexado no muestra ese NIT."},
    )
    assert response.status_code == 302
    assert Caso.objects.get(pk=solicitud.pk).estado == Caso.Estado.RESUELTO
    assert Entidad.objects.get(pk=world.proveedor.pk).nit == "900123456"
    # Once resolved, a new request may be made.
    edit = profile.perfil_update(entidad=world.proveedor, user=world.admin, data={"nit": "900123458"})
    assert edit.caso and edit.caso != solicitud.numero


def test_only_the_desk_applies_and_only_on_these_cases(world, solicitud):
    take(world, solicitud)
    for user in (world.admin, world.plain, world.outsider):
        client = logged_in(user)
        assert client.post(f"/mesa/casos/{solicitud.numero}/aplicar_cambio/").status_code == 404
        api = client.post(
            f"{API}/mesa/casos/{solicitud.numero}/acciones/aplicar_cambio", {}, content_type="application/json"
        )
        assert api.status_code == 404
    assert Entidad.objects.get(pk=world.proveedor.pk).nit == "900123456"
    question = services.caso_create(
        user=world.admin,
        data={
            **services.case_initial(user=world.admin, entidad=None),
            "tipo_solicitud": "duda",
            "asunto": "otro",
            "tipo_usuario": "proveedor",
            "descripcion": "¿Cómo cambio el NIT?",
        },
    )
    services.caso_take(caso=question, staff=world.desk)
    response = logged_in(world.desk).post(
        f"{API}/mesa/casos/{question.numero}/acciones/aplicar_cambio", {}, content_type="application/json"
    )
    assert response.status_code == 409 and "cambio de NIT o razón social" in response.json()["message"]


def test_the_requester_follows_the_case_and_it_cannot_be_opened_by_hand(world, solicitud):
    html = logged_in(world.admin).get(f"/casos/{solicitud.numero}/").content.decode()
    assert "Cambios solicitados" in html and "Aplicar el cambio" not in html
    assert Asunto.CAMBIO_IDENTIFICACION not in dict(CasoForm().fields["asunto"].choices)
    data = {
        **services.case_initial(user=world.admin, entidad=world.proveedor),
        "tipo_solicitud": "solicitud",
        "asunto": Asunto.CAMBIO_IDENTIFICACION,
        "tipo_usuario": "proveedor",
        "descripcion": "Cambio de NIT",
    }
    response = logged_in(world.admin).post(
        f"{API}/casos", {**data, "entidad_id": world.proveedor.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and "asunto" in response.json()["detail"]["fields"]
    assert Caso.objects.count() == 1
