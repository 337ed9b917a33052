"""Guide §6 through the HTTP layer: the activation case, review, corrections, resubmission and
activation, with the e-mails of each step."""

import pytest
from django.core import mail

from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.registration.models import Documento
from registro.servicedesk.models import Caso, RevisionDocumento
from tests.servicedesk.conftest import logged_in

pytestmark = pytest.mark.django_db


def open_activation_case(admin, entidad, sent):
    client = logged_in(admin)
    page = client.get(f"/casos/nuevo/?entidad={entidad.pk}").content.decode()
    # Pre-filled from the profile and the entity (R4.1).
    for value in [
        admin.first_name,
        admin.document_number,
        entidad.nombre,
        "MEDELLÍN",
        "ANTIOQUIA",
        admin.email,
        "Gestión de registro y configuración de Entidades Estatales",
        "SECOP II",
    ]:
        assert value in page, value
    data = {
        "entidad": entidad.pk,
        "nombres": admin.first_name,
        "apellidos": admin.last_name,
        "numero_documento": admin.document_number,
        "nombre_entidad": entidad.nombre,
        "departamento": "ANTIOQUIA",
        "municipio": "MEDELLÍN",
        "correo": admin.email,
        "telefono": entidad.telefono,
        "celular": admin.phone,
        "tipo_solicitud": "solicitud",
        "asunto": "registro_entidad",
        "tipo_usuario": "comprador",
        "descripcion": "Solicito la activación de la cuenta de la Entidad.",
    }
    response = sent(client.post, "/casos/nuevo/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client, Caso.objects.get()


def test_activation_with_one_round_of_corrections(admin_user, desk_user, entidad, sent, settings):
    mail.outbox.clear()
    admin, caso = None, None
    admin, caso = open_activation_case(admin_user, entidad, sent)
    assert caso.numero.startswith("CASO-") and caso.estado == Caso.Estado.ABIERTO
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_user.email, settings.SERVICE_DESK_EMAIL])

    desk = logged_in(desk_user)
    queue = desk.get("/mesa/").content.decode()
    assert caso.numero in queue
    sent(desk.post, f"/mesa/casos/{caso.numero}/tomar/")
    caso.refresh_from_db()
    assert caso.estado == Caso.Estado.EN_REVISION and caso.asignado_a == desk_user
    review = desk.get(f"/casos/{caso.numero}/").content.decode()
    assert "Verificaciones automáticas" in review and "Dígito de verificación" in review
    assert "pdf-preview" in review

    rut = entidad.documentos.get(tipo="rut", vigente=True)
    others = entidad.documentos.filter(vigente=True).exclude(pk=rut.pk)
    for documento in others:
        desk.post(f"/mesa/casos/{caso.numero}/documentos/{documento.pk}/", {"decision": "aceptado"})
    refused = desk.post(f"/mesa/casos/{caso.numero}/documentos/{rut.pk}/", {"decision": "rechazado"}, follow=True)
    assert "Escriba el motivo del rechazo" in refused.content.decode()
    desk.post(f"/mesa/casos/{caso.numero}/documentos/{rut.pk}/", {"decision": "rechazado", "motivo": "RUT de 2019"})
    assert RevisionDocumento.objects.filter(caso=caso, decision="rechazado").count() == 1

    # Activation needs every document accepted.
    blocked = desk.post(f"/mesa/casos/{caso.numero}/activar/", follow=True).content.decode()
    assert "acepte todos los documentos" in blocked
    mail.outbox.clear()
    sent(desk.post, f"/mesa/casos/{caso.numero}/corregir/", {"motivo": "Anexe el RUT actualizado."})
    entidad.refresh_from_db()
    caso.refresh_from_db()
    assert entidad.estado == Entidad.Estado.REQUIERE_CORRECCION
    assert caso.estado == Caso.Estado.ESPERANDO_SOLICITANTE
    [correction] = mail.outbox
    assert correction.to == [admin_user.email]
    assert "Anexe el RUT actualizado." in correction.body and "RUT de 2019" in correction.body

    # The administrator replaces the RUT (the first version is kept) and resubmits.
    from tests.entities.conftest import pdf_upload

    page = admin.get(f"/casos/{caso.numero}/").content.decode()
    assert "Corregir y enviar de nuevo" in page
    admin.post(f"/casos/{caso.numero}/reemplazar/", {"tipo": "rut", "archivo": pdf_upload("rut-2026.pdf")})
    ruts = Documento.objects.filter(entidad=entidad, tipo="rut").order_by("version")
    assert [(d.version, d.vigente) for d in ruts] == [(1, False), (2, True)]
    mail.outbox.clear()
    sent(admin.post, f"/casos/{caso.numero}/reenviar/", {"nota": "Anexamos el RUT 2026."})
    entidad.refresh_from_db()
    caso.refresh_from_db()
    assert entidad.estado == Entidad.Estado.PENDIENTE and caso.estado == Caso.Estado.EN_REVISION
    assert [m.to for m in mail.outbox] == [[desk_user.email]]

    new_rut = ruts.last()
    desk.post(f"/mesa/casos/{caso.numero}/documentos/{new_rut.pk}/", {"decision": "aceptado"})
    mail.outbox.clear()
    sent(desk.post, f"/mesa/casos/{caso.numero}/activar/")
    entidad.refresh_from_db()
    caso.refresh_from_db()
    assert entidad.estado == Entidad.Estado.ACTIVA and entidad.activada_at is not None
    assert caso.estado == Caso.Estado.RESUELTO
    [activated] = mail.outbox
    assert sorted(activated.to) == sorted([entidad.correo_notificaciones, admin_user.email])
    assert "activó la cuenta" in activated.body

    # R4.4: the administrator's home for the entity is now its desktop.
    response = admin.get(f"/entidades/{entidad.pk}/registrada/")
    assert response["Location"] == f"/entidades/{entidad.pk}/"
    escritorio = admin.get(f"/entidades/{entidad.pk}/", follow=True).content.decode()
    assert "Escritorio" in escritorio and entidad.nombre in escritorio
    assert "Historial de la Entidad" in admin.get("/entidad/historial/").content.decode()
    tipos = list(entidad.eventos.order_by("created_at", "id").values_list("tipo", flat=True))
    assert tipos[0] == EventoEntidad.Tipo.REGISTRADA and tipos[-1] == EventoEntidad.Tipo.ACTIVADA
    assert EventoEntidad.Tipo.CORRECCION_SOLICITADA in tipos and EventoEntidad.Tipo.REENVIADA in tipos


def test_only_the_transitions_of_the_table_are_possible(admin_user, desk_user, entidad, sent):
    _admin, caso = open_activation_case(admin_user, entidad, sent)
    desk = logged_in(desk_user)
    # Not under review yet: no decision.
    response = desk.post(f"/mesa/casos/{caso.numero}/corregir/", {"motivo": "x"}, follow=True)
    assert "esa acción ya no es posible" in response.content.decode()
    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.PENDIENTE
    desk.post(f"/mesa/casos/{caso.numero}/tomar/")
    again = desk.post(f"/mesa/casos/{caso.numero}/tomar/", follow=True)
    assert "esa acción ya no es posible" in again.content.decode()


def test_a_second_activation_case_for_the_same_entity_is_refused(admin_user, entidad, sent):
    client, caso = open_activation_case(admin_user, entidad, sent)
    data = {
        "entidad": entidad.pk,
        "nombres": "A",
        "apellidos": "B",
        "numero_documento": "1",
        "correo": "a@b.co",
        "tipo_solicitud": "solicitud",
        "asunto": "registro_entidad",
        "tipo_usuario": "comprador",
        "descripcion": "otra vez",
    }
    response = client.post("/casos/nuevo/", data)
    assert f"Ya hay un caso abierto para esta solicitud: {caso.numero}" in response.content.decode()
    assert Caso.objects.count() == 1


def test_any_user_can_ask_a_question_and_the_desk_answers(desk_user, sent):
    from tests.factories import UserFactory

    user = UserFactory()
    client = logged_in(user)
    data = {
        "nombres": user.first_name,
        "apellidos": user.last_name,
        "numero_documento": user.document_number,
        "correo": user.email,
        "tipo_solicitud": "duda",
        "asunto": "usuarios",
        "tipo_usuario": "comprador",
        "descripcion": "¿Cómo cambio mi correo?",
    }
    assert client.post("/casos/nuevo/", data).status_code == 302
    caso = Caso.objects.get()
    desk = logged_in(desk_user)
    desk.post(f"/mesa/casos/{caso.numero}/tomar/")
    mail.outbox.clear()
    sent(desk.post, f"/mesa/casos/{caso.numero}/resolver/", {"motivo": "En Configuración del usuario."})
    caso.refresh_from_db()
    assert caso.estado == Caso.Estado.RESUELTO
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "En Configuración del usuario." in client.get(f"/casos/{caso.numero}/").content.decode()


def test_messages_go_both_ways_with_attachments(admin_user, desk_user, entidad, sent):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.entities.conftest import pdf_upload

    admin, caso = open_activation_case(admin_user, entidad, sent)
    desk = logged_in(desk_user)
    desk.post(f"/mesa/casos/{caso.numero}/tomar/")
    mail.outbox.clear()
    sent(desk.post, f"/casos/{caso.numero}/", {"texto": "¿Puede enviar el acta firmada?"})
    assert [m.to for m in mail.outbox] == [[admin_user.email]]
    mail.outbox.clear()
    sent(admin.post, f"/casos/{caso.numero}/", {"texto": "Aquí está.", "adjunto": pdf_upload("acta firmada.pdf")})
    assert [m.to for m in mail.outbox] == [[desk_user.email]]
    page = desk.get(f"/casos/{caso.numero}/").content.decode()
    assert "acta firmada.pdf" in page
    bad = admin.post(
        f"/casos/{caso.numero}/", {"texto": "virus", "adjunto": SimpleUploadedFile("x.exe", b"MZ\x90\x00\x03")}
    )
    assert bad.status_code == 400
    assert caso.mensajes.count() == 2


def test_supplier_profile(admin_user, desk_user, entidad, sent):
    from registro.entities.account import workflow

    workflow.entidad_transition(entidad=entidad, to=Entidad.Estado.ACTIVA, actor=desk_user)
    client = logged_in(admin_user)
    data = {
        "entidad": entidad.pk,
        "nombres": "A",
        "apellidos": "B",
        "numero_documento": "1",
        "correo": admin_user.email,
        "tipo_solicitud": "solicitud",
        "asunto": "perfil_proveedor",
        "tipo_usuario": "proveedor",
        "descripcion": "Habilitar perfil de proveedor.",
    }
    assert client.post("/casos/nuevo/", data).status_code == 302
    caso = Caso.objects.get()
    desk = logged_in(desk_user)
    desk.post(f"/mesa/casos/{caso.numero}/tomar/")
    sent(desk.post, f"/mesa/casos/{caso.numero}/proveedor/")
    entidad.refresh_from_db()
    assert entidad.es_proveedor
    assert entidad.eventos.filter(tipo=EventoEntidad.Tipo.PERFIL_PROVEEDOR).exists()


def test_entity_users_never_reach_the_desk(admin_user, entidad, sent):
    admin, caso = open_activation_case(admin_user, entidad, sent)
    for url in ["/mesa/", "/mesa/tablero/"]:
        assert admin.get(url).status_code == 404
    for action in ["tomar", "activar", "corregir", "rechazar", "proveedor", "resolver", "cerrar"]:
        assert admin.post(f"/mesa/casos/{caso.numero}/{action}/", {"motivo": "x"}).status_code == 404
    documento = entidad.documentos.first()
    assert (
        admin.post(f"/mesa/casos/{caso.numero}/documentos/{documento.pk}/", {"decision": "aceptado"}).status_code == 404
    )
    caso.refresh_from_db()
    assert caso.estado == Caso.Estado.ABIERTO


def test_other_users_cannot_see_a_case(admin_user, entidad, sent):
    from tests.factories import UserFactory

    _admin, caso = open_activation_case(admin_user, entidad, sent)
    assert logged_in(UserFactory()).get(f"/casos/{caso.numero}/").status_code == 404


def test_dashboard(desk_user, admin_user, entidad, sent):
    open_activation_case(admin_user, entidad, sent)
    page = logged_in(desk_user).get("/mesa/tablero/").content.decode()
    assert "<svg" in page and "Casos abiertos y resueltos por día" in page
    assert "Tiempo mediano del registro a la activación" in page


def test_a_case_waiting_for_the_requester_cannot_be_taken_again(admin_user, desk_user, entidad, sent):
    _admin, caso = open_activation_case(admin_user, entidad, sent)
    desk = logged_in(desk_user)
    desk.post(f"/mesa/casos/{caso.numero}/tomar/")
    sent(desk.post, f"/mesa/casos/{caso.numero}/corregir/", {"motivo": "Falta el RUT."})
    response = desk.post(f"/mesa/casos/{caso.numero}/tomar/", follow=True)
    assert "esa acción ya no es posible" in response.content.decode()
    caso.refresh_from_db()
    assert caso.estado == Caso.Estado.ESPERANDO_SOLICITANTE
