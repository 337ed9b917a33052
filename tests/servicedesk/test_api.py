"""The Mesa de Servicio through the JSON API (/api/v1/casos..., /api/v1/mesa/...): the activation
path with one round of corrections, the transition table, who may reach the desk's operations,
questions, threads with attachments, the queue and the dashboard. The web pages are in
test_activation_flow.py."""

import os
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from registro.accounts.permissions import SERVICE_DESK_GROUP
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.registration.models import Documento
from registro.servicedesk.models import Adjunto, Caso, EventoCaso, Mensaje, RevisionDocumento
from tests.entities.conftest import pdf_bytes, pdf_upload
from tests.factories import EntidadFactory, UserFactory
from tests.servicedesk.conftest import logged_in

pytestmark = pytest.mark.django_db

API = "/api/v1"


def post(client: Client, path: str, data: dict | None = None):
    return client.post(f"{API}{path}", data or {}, content_type="application/json")


def get(client: Client, path: str, **params):
    return client.get(f"{API}{path}", params)


def stored_files(settings, folder: str = "") -> list[str]:
    base = os.path.join(settings.MEDIA_ROOT, folder)
    return [os.path.join(root, f) for root, _dirs, files in os.walk(base) for f in files]


def open_case(client: Client, sent, **data) -> dict:
    response = sent(post, client, "/casos", data)
    assert response.status_code == 201, response.json()
    return response.json()


def open_activation_case(client: Client, entidad: Entidad, sent) -> dict:
    return open_case(
        client,
        sent,
        entidad_id=entidad.pk,
        tipo_solicitud="solicitud",
        asunto="registro_entidad",
        tipo_usuario="comprador",
        descripcion="Solicito la activación de la cuenta de la Entidad.",
    )


def open_question(client: Client, sent, asunto: str = "usuarios", texto: str = "¿Cómo cambio mi correo?") -> dict:
    return open_case(client, sent, tipo_solicitud="duda", asunto=asunto, tipo_usuario="ciudadano", descripcion=texto)


def act(client: Client, numero: str, accion: str, motivo: str = ""):
    return post(client, f"/mesa/casos/{numero}/acciones/{accion}", {"motivo": motivo})


def review(client: Client, numero: str, documento_id: int, decision: str, motivo: str = ""):
    return post(
        client, f"/mesa/casos/{numero}/documentos/{documento_id}/revision", {"decision": decision, "motivo": motivo}
    )


def accept_all(client: Client, numero: str):
    body = get(client, f"/mesa/casos/{numero}/revision").json()
    for item in body["documentos"]:
        assert review(client, numero, item["documento"]["id"], "aceptado").status_code == 200


@pytest.fixture
def admin(admin_user):
    return logged_in(admin_user)


@pytest.fixture
def desk(desk_user):
    return logged_in(desk_user)


# --- The whole activation path ------------------------------------------------------------------


def test_activation_with_one_round_of_corrections(admin, admin_user, desk, desk_user, entidad, sent, settings):
    mail.outbox.clear()
    body = open_activation_case(admin, entidad, sent)
    numero = body["numero"]
    assert numero.startswith("CASO-") and body["estado"] == "abierto" and body["entidad_estado"] == "pendiente"
    # Pre-filled from the profile and the entity (R4.1).
    assert (body["nombres"], body["apellidos"]) == (admin_user.first_name, admin_user.last_name)
    assert body["numero_documento"] == admin_user.document_number and body["correo"] == admin_user.email
    assert body["nombre_entidad"] == entidad.nombre
    assert (body["departamento"], body["municipio"]) == ("ANTIOQUIA", "MEDELLÍN")
    assert body["sistema"] == "SECOP II" and body["asunto_label"].startswith("Gestión de registro")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_user.email, settings.SERVICE_DESK_EMAIL])
    assert [c["numero"] for c in get(admin, "/casos").json()] == [numero]

    # The desk finds it in its queue and takes it.
    queue = get(desk, "/mesa/casos").json()
    assert [c["numero"] for c in queue["items"]] == [numero] and queue["count"] == 1
    taken = sent(act, desk, numero, "tomar")
    assert taken.status_code == 200, taken.json()
    assert taken.json()["estado"] == "en_revision" and taken.json()["asignado_a"] == desk_user.username

    # The checklist: the four documents, none decided yet, and the automatic pre-checks.
    revision = get(desk, f"/mesa/casos/{numero}/revision").json()
    assert revision["caso"]["numero"] == numero
    tipos = {item["documento"]["tipo"]: item for item in revision["documentos"]}
    assert sorted(tipos) == sorted(["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut"])
    assert all(item["revision"] is None for item in revision["documentos"])
    codes = [check["code"] for check in revision["prechecks"]]
    assert codes == ["nit_dv", "certificado_vigencia", "autorizacion_administrador", "rut_nit", "nombres_similares"]
    nit_dv = revision["prechecks"][0]
    assert nit_dv["status"] == "ok" and nit_dv["detail"]["nit"] == entidad.nit and nit_dv["message"]

    # Three accepted; the RUT rejected, which needs a reason.
    rut_id = tipos["rut"]["documento"]["id"]
    for tipo, item in tipos.items():
        if tipo != "rut":
            assert review(desk, numero, item["documento"]["id"], "aceptado").status_code == 200
    refused = review(desk, numero, rut_id, "rechazado")
    assert refused.status_code == 400 and refused.json()["detail"]["fields"]["motivo"]
    rejected = review(desk, numero, rut_id, "rechazado", "RUT de 2019")
    assert rejected.status_code == 200, rejected.json()
    assert rejected.json() | {"revisado_at": None} == {
        "documento_id": rut_id,
        "decision": "rechazado",
        "motivo": "RUT de 2019",
        "revisor": desk_user.username,
        "revisado_at": None,
    }
    revision = get(desk, f"/mesa/casos/{numero}/revision").json()
    decisions = {item["documento"]["tipo"]: (item["revision"] or {}).get("decision") for item in revision["documentos"]}
    assert decisions == {
        "acto_estructura": "aceptado",
        "acta_posesion_ordenador": "aceptado",
        "autorizacion_administrador": "aceptado",
        "rut": "rechazado",
    }

    # "Requiere corrección": the administrators get the reasons by e-mail.
    mail.outbox.clear()
    corrected = sent(act, desk, numero, "corregir", "Anexe el RUT actualizado.")
    assert corrected.status_code == 200, corrected.json()
    assert corrected.json()["estado"] == "esperando_solicitante"
    assert corrected.json()["entidad_estado"] == "requiere_correccion"
    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.REQUIERE_CORRECCION
    [correction] = mail.outbox
    assert correction.to == [admin_user.email]
    assert "Anexe el RUT actualizado." in correction.body and "RUT de 2019" in correction.body

    # The requester sees the reason in the thread and the events.
    detail = get(admin, f"/casos/{numero}").json()
    assert detail["mensajes"][-1]["texto"] == "Anexe el RUT actualizado." and detail["mensajes"][-1]["de_la_mesa"]
    assert detail["mensajes"][-1]["autor"] == "Mesa de Servicio"
    assert [e["tipo"] for e in detail["eventos"]] == ["abierto", "revision_iniciada", "correccion_solicitada"]
    assert detail["eventos"][-1]["motivo"] == "Anexe el RUT actualizado."

    # The administrator replaces the RUT (the first version is kept) and resubmits.
    replaced = admin.post(f"{API}/casos/{numero}/documentos", {"tipo": "rut", "archivo": pdf_upload("rut-2026.pdf")})
    assert replaced.status_code == 201, replaced.json()
    assert replaced.json()["version"] == 2 and replaced.json()["vigente"] is True
    assert replaced.json()["nombre_original"] == "rut-2026.pdf"
    ruts = Documento.objects.filter(entidad=entidad, tipo="rut").order_by("version")
    assert [(d.version, d.vigente) for d in ruts] == [(1, False), (2, True)]
    assert all(d.archivo.storage.exists(d.archivo.name) for d in ruts)
    mail.outbox.clear()
    resubmitted = sent(post, admin, f"/casos/{numero}/reenviar", {"nota": "Anexamos el RUT 2026."})
    assert resubmitted.status_code == 200, resubmitted.json()
    assert resubmitted.json()["estado"] == "en_revision" and resubmitted.json()["entidad_estado"] == "pendiente"
    assert [m.to for m in mail.outbox] == [[desk_user.email]]

    # The new version needs its own decision: activation waits for it.
    revision = get(desk, f"/mesa/casos/{numero}/revision").json()
    new_rut = next(item for item in revision["documentos"] if item["documento"]["tipo"] == "rut")
    assert new_rut["documento"]["id"] == replaced.json()["id"] and new_rut["revision"] is None
    blocked = act(desk, numero, "activar")
    assert blocked.status_code == 409 and blocked.json()["detail"]["pendientes"] == [new_rut["documento"]["tipo_label"]]
    assert review(desk, numero, new_rut["documento"]["id"], "aceptado").status_code == 200

    mail.outbox.clear()
    activated = sent(act, desk, numero, "activar")
    assert activated.status_code == 200, activated.json()
    assert activated.json()["estado"] == "resuelto" and activated.json()["resuelto_at"]
    assert activated.json()["entidad_estado"] == "activa"
    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.ACTIVA and entidad.activada_at is not None
    [activation] = mail.outbox
    assert sorted(activation.to) == sorted([entidad.correo_notificaciones, admin_user.email])
    tipos = list(entidad.eventos.order_by("created_at", "id").values_list("tipo", flat=True))
    assert tipos[0] == EventoEntidad.Tipo.REGISTRADA and tipos[-1] == EventoEntidad.Tipo.ACTIVADA
    assert tipos.count(EventoEntidad.Tipo.DOCUMENTO_REVISADO) == 5  # 3 + the rejected RUT + its new version
    for tipo in ["caso_abierto", "revision_iniciada", "correccion_solicitada", "documento_reemplazado", "reenviada"]:
        assert tipo in tipos, tipo
    # A resolved case leaves the queue.
    assert get(desk, "/mesa/casos").json()["count"] == 0


def test_case_creation_validates_and_follows_the_rules(admin, admin_user, entidad, sent):
    invalid = post(admin, "/casos", {"tipo_solicitud": "x", "asunto": "y", "tipo_usuario": "z", "descripcion": ""})
    assert invalid.status_code == 400
    assert set(invalid.json()["detail"]["fields"]) == {"tipo_solicitud", "asunto", "tipo_usuario", "descripcion"}
    missing = post(admin, "/casos", {"asunto": "usuarios"})
    assert missing.status_code == 422 and missing.json()["code"] == "validation_error"
    # An activation request needs the entity, and one of its administrators.
    data = {
        "tipo_solicitud": "solicitud",
        "asunto": "registro_entidad",
        "tipo_usuario": "comprador",
        "descripcion": "x",
    }
    assert post(admin, "/casos", data).status_code == 403
    stranger = logged_in(UserFactory())
    assert post(stranger, "/casos", {**data, "entidad_id": entidad.pk}).json()["code"] == "not_found"
    assert post(admin, "/casos", {**data, "entidad_id": 999999}).status_code == 404
    first = open_activation_case(admin, entidad, sent)
    again = post(admin, "/casos", {**data, "entidad_id": entidad.pk})
    assert again.status_code == 400 and first["numero"] in again.json()["message"]
    assert Caso.objects.count() == 1
    # Data sent replaces the pre-filled values.
    other = open_question(admin, sent)
    assert other["correo"] == admin_user.email
    corrected = open_case(
        admin,
        sent,
        tipo_solicitud="duda",
        asunto="otro",
        tipo_usuario="comprador",
        descripcion="Otra duda",
        correo="otro@alcaldia.gov.co",
        celular="3109998877",
    )
    assert (corrected["correo"], corrected["celular"]) == ("otro@alcaldia.gov.co", "3109998877")


# --- The transition table -----------------------------------------------------------------------


def test_invalid_transitions_are_409(admin, desk, entidad, sent):
    numero = open_activation_case(admin, entidad, sent)["numero"]
    documento = entidad.documentos.first()
    # Not taken yet: no decision, no review.
    for accion, motivo in [("corregir", "x"), ("activar", ""), ("rechazar", "x")]:
        response = act(desk, numero, accion, motivo)
        assert response.status_code == 409, (accion, response.json())
        assert response.json()["code"] == "invalid_transition" and response.json()["detail"]["estado"] == "abierto"
    response = review(desk, numero, documento.pk, "aceptado")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert not RevisionDocumento.objects.exists()
    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.PENDIENTE

    assert act(desk, numero, "tomar").status_code == 200
    again = act(desk, numero, "tomar")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert "esa acción ya no es posible" in again.json()["message"]

    # Waiting for the entity: no activation, no review, no second request.
    assert sent(act, desk, numero, "corregir", "Anexe el RUT.").status_code == 200
    for accion in ["activar", "corregir"]:
        response = act(desk, numero, accion, "x")
        assert (response.status_code, response.json()["code"]) == (409, "invalid_transition"), accion
    response = review(desk, numero, documento.pk, "aceptado")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")

    # Resolved: nothing but closing.
    assert sent(post, admin, f"/casos/{numero}/reenviar", {"nota": ""}).status_code == 200
    accept_all(desk, numero)
    assert sent(act, desk, numero, "activar").status_code == 200
    for accion in ["activar", "rechazar", "corregir", "tomar"]:
        response = act(desk, numero, accion, "x")
        assert (response.status_code, response.json()["code"]) == (409, "invalid_transition"), accion
    # The entity is active: resubmitting or replacing documents is refused as well.
    resubmit = post(admin, f"/casos/{numero}/reenviar", {"nota": ""})
    assert (resubmit.status_code, resubmit.json()["code"]) == (409, "invalid_transition")
    replace = admin.post(f"{API}/casos/{numero}/documentos", {"tipo": "rut", "archivo": pdf_upload()})
    assert replace.status_code == 409
    assert act(desk, numero, "cerrar").json()["estado"] == "cerrado"
    assert act(desk, numero, "cerrar").status_code == 409
    assert act(desk, numero, "despachar").json()["code"] == "not_found"
    assert EventoCaso.objects.filter(caso__numero=numero, tipo="activada").count() == 1


def test_activation_waits_until_every_document_is_accepted(admin, desk, entidad, sent):
    numero = open_activation_case(admin, entidad, sent)["numero"]
    act(desk, numero, "tomar")
    documentos = list(entidad.documentos.filter(vigente=True))
    for documento in documentos[:-1]:
        review(desk, numero, documento.pk, "aceptado")
    review(desk, numero, documentos[-1].pk, "rechazado", "Ilegible")
    mail.outbox.clear()
    for pendiente in [documentos[-1], documentos[0]]:
        blocked = sent(act, desk, numero, "activar")
        assert blocked.status_code == 409, blocked.json()
        assert "acepte todos los documentos" in blocked.json()["message"]
        assert blocked.json()["detail"]["pendientes"] == [pendiente.get_tipo_display()]
        # The desk changes its mind: the last one accepted, the first one rejected.
        review(desk, numero, documentos[-1].pk, "aceptado")
        review(desk, numero, documentos[0].pk, "rechazado", "Sin firma")
    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.PENDIENTE and entidad.activada_at is None
    assert Caso.objects.get(numero=numero).estado == Caso.Estado.EN_REVISION
    assert mail.outbox == []
    review(desk, numero, documentos[0].pk, "aceptado")
    assert sent(act, desk, numero, "activar").status_code == 200


def test_a_document_of_another_entity_is_not_reviewed_here(admin, desk, entidad, sent):
    numero = open_activation_case(admin, entidad, sent)["numero"]
    act(desk, numero, "tomar")
    assert review(desk, numero, 999999, "aceptado").json()["code"] == "not_found"
    otra = EntidadFactory()
    ajeno = Documento.objects.create(
        entidad=otra,
        tipo="rut",
        archivo="x.pdf",
        nombre_original="x.pdf",
        tamano=1,
        sha256="0",
        subido_en=timezone.now(),
    )
    assert review(desk, numero, ajeno.pk, "aceptado").status_code == 404
    assert review(desk, numero, entidad.documentos.first().pk, "quizas").status_code == 422
    assert not RevisionDocumento.objects.exists()


# --- Who reaches the desk -----------------------------------------------------------------------


def desk_operations(numero: str, documento_id: int) -> list[tuple[str, str, dict]]:
    operations = [
        ("GET", "/mesa/casos", {}),
        ("GET", "/mesa/casos?estado=abierto", {}),
        ("GET", f"/mesa/casos/{numero}/revision", {}),
        ("POST", f"/mesa/casos/{numero}/documentos/{documento_id}/revision", {"decision": "aceptado"}),
        ("GET", "/mesa/tablero", {}),
        ("POST", f"/mesa/casos/{numero}/acciones/desconocida", {}),
        ("GET", "/mesa/casos/CASO-0000-000000/revision", {}),
    ]
    for accion in ["tomar", "corregir", "activar", "rechazar", "proveedor", "resolver", "cerrar"]:
        operations.append(("POST", f"/mesa/casos/{numero}/acciones/{accion}", {"motivo": "x"}))
    return operations


def call(client: Client, method: str, path: str, data: dict):
    if method == "GET":
        return client.get(f"{API}{path}")
    return client.post(f"{API}{path}", data, content_type="application/json")


def test_every_desk_operation_is_404_for_anyone_but_the_desk_and_401_anonymously(admin, entidad, sent):
    numero = open_activation_case(admin, entidad, sent)["numero"]
    documento = entidad.documentos.first()
    staff_without_desk = UserFactory(is_staff=True)  # staff, but not in the group
    not_accepted_terms = UserFactory(verified=False)
    callers = [("entity admin", admin), ("staff", logged_in(staff_without_desk))]
    callers.append(("no terms", logged_in(not_accepted_terms)))
    for name, client in callers:
        for method, path, data in desk_operations(numero, documento.pk):
            response = call(client, method, path, data)
            assert response.status_code == 404, (name, method, path, response.status_code)
            assert response.json()["code"] == "not_found", (name, path)
    for method, path, data in desk_operations(numero, documento.pk):
        response = call(Client(), method, path, data)
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "not_authenticated"
    # Nothing was decided.
    caso = Caso.objects.get(numero=numero)
    assert caso.estado == Caso.Estado.ABIERTO and caso.asignado_a is None
    assert not RevisionDocumento.objects.exists()
    assert list(caso.eventos.values_list("tipo", flat=True)) == ["abierto"]
    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.PENDIENTE


def test_no_desk_decision_without_a_desk_account(admin, desk, desk_user, entidad, sent):
    numero = open_activation_case(admin, entidad, sent)["numero"]
    assert act(desk, numero, "tomar").status_code == 200
    accept_all(desk, numero)
    # The desk member leaves the group: the decision is no longer theirs to take.
    desk_user.groups.remove(Group.objects.get(name=SERVICE_DESK_GROUP))
    desk_user.refresh_from_db()
    desk = logged_in(desk_user)
    for accion in ["activar", "rechazar", "corregir", "cerrar"]:
        assert act(desk, numero, accion, "x").status_code == 404, accion
    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.PENDIENTE
    # The requester's own routes don't decide either: they only add to the thread.
    response = sent(admin.post, f"{API}/casos/{numero}/mensajes", {"texto": "¿Ya está activa?"})
    assert response.status_code == 201 and response.json()["de_la_mesa"] is False
    resubmit = post(admin, f"/casos/{numero}/reenviar", {"nota": ""})
    assert (resubmit.status_code, resubmit.json()["code"]) == (409, "invalid_transition")
    assert Caso.objects.get(numero=numero).estado == Caso.Estado.EN_REVISION
    # A superuser counts as the desk.
    superuser = logged_in(UserFactory(is_staff=True, is_superuser=True))
    assert sent(act, superuser, numero, "activar").status_code == 200


# --- Questions ----------------------------------------------------------------------------------


def test_any_user_can_ask_a_question_and_the_desk_answers(desk, desk_user, sent, settings):
    user = UserFactory()
    client = logged_in(user)
    mail.outbox.clear()
    body = open_question(client, sent)
    assert body["tipo_solicitud"] == "duda" and body["entidad_id"] is None and body["entidad_estado"] is None
    assert (body["nombres"], body["numero_documento"]) == (user.first_name, user.document_number)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([user.email, settings.SERVICE_DESK_EMAIL])
    numero = body["numero"]
    assert [c["numero"] for c in get(client, "/casos").json()] == [numero]
    # Nobody else sees it.
    other = logged_in(UserFactory())
    for path in [f"/casos/{numero}", f"/casos/{numero}/mensajes"]:
        response = get(other, path)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert get(other, "/casos").json() == []
    # A question is answered, not activated.
    assert act(desk, numero, "tomar").status_code == 200
    assert act(desk, numero, "activar").status_code == 409
    assert act(desk, numero, "resolver").status_code == 400
    mail.outbox.clear()
    answered = sent(act, desk, numero, "resolver", "En Configuración del usuario.")
    assert answered.status_code == 200 and answered.json()["estado"] == "resuelto"
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "En Configuración del usuario." in mail.outbox[0].body
    detail = get(client, f"/casos/{numero}").json()
    assert detail["estado"] == "resuelto"
    assert [(m["texto"], m["de_la_mesa"]) for m in detail["mensajes"]] == [("En Configuración del usuario.", True)]
    assert [e["tipo"] for e in detail["eventos"]] == ["abierto", "revision_iniciada", "resuelto"]
    assert detail["eventos"][-1]["actor"] == desk_user.username


def test_an_entity_admin_may_ask_a_question_about_the_entity(admin, entidad, sent):
    body = open_case(
        admin,
        sent,
        entidad_id=entidad.pk,
        tipo_solicitud="duda",
        asunto="registro_entidad",
        tipo_usuario="comprador",
        descripcion="¿Cuánto tarda la activación?",
    )
    assert body["entidad_id"] == entidad.pk and body["nombre_entidad"] == entidad.nombre


# --- Threads and attachments --------------------------------------------------------------------


def test_messages_go_both_ways_with_an_e_mail_to_the_other_side(admin, admin_user, desk, desk_user, entidad, sent):
    numero = open_activation_case(admin, entidad, sent)["numero"]
    # Before anyone takes the case, the requester's message goes to the desk's address.
    mail.outbox.clear()
    early = sent(admin.post, f"{API}/casos/{numero}/mensajes", {"texto": "¿Recibieron el registro?"})
    assert early.status_code == 201
    from django.conf import settings

    assert [m.to for m in mail.outbox] == [[settings.SERVICE_DESK_EMAIL]]
    act(desk, numero, "tomar")

    mail.outbox.clear()
    question = sent(desk.post, f"{API}/casos/{numero}/mensajes", {"texto": "¿Puede enviar el acta firmada?"})
    assert question.status_code == 201, question.json()
    assert question.json()["de_la_mesa"] is True and question.json()["autor"] == "Mesa de Servicio"
    assert [m.to for m in mail.outbox] == [[admin_user.email]]
    assert "¿Puede enviar el acta firmada?" in mail.outbox[0].body

    mail.outbox.clear()
    answer = sent(
        admin.post, f"{API}/casos/{numero}/mensajes", {"texto": "Aquí está.", "adjunto": pdf_upload("acta firmada.pdf")}
    )
    assert answer.status_code == 201, answer.json()
    [adjunto] = answer.json()["adjuntos"]
    assert adjunto["nombre_original"] == "acta firmada.pdf" and adjunto["content_type"] == "application/pdf"
    assert [m.to for m in mail.outbox] == [[desk_user.email]]

    thread = get(desk, f"/casos/{numero}/mensajes").json()
    assert [(m["texto"], m["de_la_mesa"]) for m in thread] == [
        ("¿Recibieron el registro?", False),
        ("¿Puede enviar el acta firmada?", True),
        ("Aquí está.", False),
    ]
    assert thread[-1]["autor"] == admin_user.full_name
    # Both sides download the attachment; nobody else does.
    for client in [admin, desk]:
        response = client.get(adjunto["url"])
        assert response.status_code == 200 and b"".join(response.streaming_content) == pdf_bytes()
        assert response["X-Content-Type-Options"] == "nosniff"
    assert logged_in(UserFactory()).get(adjunto["url"]).status_code == 404
    assert admin.get(f"{API}/casos/{numero}/adjuntos/999999").status_code == 404
    # Empty messages are refused.
    empty = admin.post(f"{API}/casos/{numero}/mensajes", {"texto": "   "})
    assert empty.status_code == 400 and empty.json()["detail"]["fields"]["texto"]


def test_a_reply_to_a_case_waiting_for_the_requester_sends_it_back_to_review(admin, desk, entidad, sent):
    numero = open_activation_case(admin, entidad, sent)["numero"]
    act(desk, numero, "tomar")
    sent(act, desk, numero, "corregir", "Anexe el RUT.")
    sent(admin.post, f"{API}/casos/{numero}/mensajes", {"texto": "¿Cuál RUT?"})
    assert get(admin, f"/casos/{numero}").json()["estado"] == "en_revision"


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("virus.exe", b"MZ\x90\x00\x03", "file_extension_forbidden"),
        ("acta.pdf.exe", pdf_bytes(), "file_extension_forbidden"),
        ("vacio.pdf", b"", "file_empty"),
        ("acta.pdf", b"MZ\x90\x00\x03\x00\x00\x00", None),
    ],
)
def test_a_forbidden_attachment_is_refused_and_nothing_is_stored(
    admin, desk, entidad, sent, settings, name, content, code
):
    numero = open_activation_case(admin, entidad, sent)["numero"]
    mail.outbox.clear()
    response = sent(
        admin.post, f"{API}/casos/{numero}/mensajes", {"texto": "Adjunto", "adjunto": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400, response.json()
    assert response.json()["code"].startswith("file_")
    if code:
        assert response.json()["code"] == code
    assert not Mensaje.objects.exists() and not Adjunto.objects.exists()
    assert stored_files(settings, "casos") == []
    assert mail.outbox == []


def test_a_forbidden_replacement_document_is_refused_and_nothing_is_stored(admin, desk, entidad, sent, settings):
    numero = open_activation_case(admin, entidad, sent)["numero"]
    act(desk, numero, "tomar")
    sent(act, desk, numero, "corregir", "Anexe el RUT.")
    before = sorted(stored_files(settings))
    response = admin.post(
        f"{API}/casos/{numero}/documentos", {"tipo": "rut", "archivo": SimpleUploadedFile("rut.exe", b"MZ\x90\x00")}
    )
    assert response.status_code == 400 and response.json()["code"] == "file_extension_forbidden"
    unknown = admin.post(f"{API}/casos/{numero}/documentos", {"tipo": "foto", "archivo": pdf_upload()})
    assert unknown.status_code == 400 and unknown.json()["detail"]["fields"]["tipo"]
    assert sorted(stored_files(settings)) == before
    assert Documento.objects.filter(entidad=entidad, tipo="rut").count() == 1
    # Only the entity's administrators replace its documents.
    for client in [desk, logged_in(UserFactory())]:
        response = client.post(f"{API}/casos/{numero}/documentos", {"tipo": "rut", "archivo": pdf_upload()})
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        assert post(client, f"/casos/{numero}/reenviar", {"nota": ""}).status_code == 404
    assert Documento.objects.filter(entidad=entidad, tipo="rut").count() == 1


# --- The queue and the dashboard ----------------------------------------------------------------


def test_the_queue_is_oldest_first_and_filters_by_state_and_subject(admin, desk, entidad, sent):
    activation = open_activation_case(admin, entidad, sent)["numero"]
    asker = logged_in(UserFactory())
    question = open_question(asker, sent)["numero"]
    other = open_question(asker, sent, asunto="otro", texto="Otra cosa")["numero"]
    answered = open_question(asker, sent, texto="Ya resuelta")["numero"]
    now = timezone.now()
    for numero, hours in [(activation, 5), (question, 30), (other, 2), (answered, 50)]:
        Caso.objects.filter(numero=numero).update(created_at=now - timedelta(hours=hours))
    act(desk, other, "tomar")
    act(desk, answered, "tomar")
    sent(act, desk, answered, "resolver", "Listo.")

    def numeros(**params):
        response = get(desk, "/mesa/casos", **params)
        assert response.status_code == 200, response.json()
        return [c["numero"] for c in response.json()["items"]]

    assert numeros() == [question, activation, other]
    assert numeros(estado="", asunto="") == [question, activation, other]
    assert numeros(estado="abierto") == [question, activation]
    assert numeros(estado="en_revision") == [other]
    assert numeros(estado="resuelto") == [answered]
    assert numeros(asunto="usuarios") == [question]
    assert numeros(asunto="registro_entidad") == [activation]
    assert numeros(estado="abierto", asunto="otro") == []
    assert numeros(estado="resuelto", asunto="usuarios") == [answered]
    items = get(desk, "/mesa/casos").json()["items"]
    ages = [item["age_seconds"] for item in items]
    assert 30 * 3600 <= ages[0] < 30 * 3600 + 60 and 5 * 3600 <= ages[1] < 5 * 3600 + 60
    assert items[1]["asunto"] == "registro_entidad" and items[1]["entidad_id"] == entidad.pk
    # Pages of 50.
    page = get(desk, "/mesa/casos", page=1, page_size=2).json()
    assert page["count"] == 3 and [c["numero"] for c in page["items"]] == [question, activation]
    assert [c["numero"] for c in get(desk, "/mesa/casos", page=2, page_size=2).json()["items"]] == [other]
    for bad in [{"estado": "perdido"}, {"asunto": "nada"}]:
        response = get(desk, "/mesa/casos", **bad)
        assert response.status_code == 422 and response.json()["code"] == "validation_error"


def test_dashboard_numbers(admin, desk, entidad, sent):
    now = timezone.now()
    for created_days_ago, took_hours in [(10, 48), (20, 96)]:
        other = EntidadFactory(estado=Entidad.Estado.ACTIVA)
        created = now - timedelta(days=created_days_ago)
        Entidad.objects.filter(pk=other.pk).update(
            created_at=created, activada_at=created + timedelta(hours=took_hours)
        )
    # Pending entities (the fixture's) don't count.
    body = get(desk, "/mesa/tablero").json()
    assert body["median_activation_seconds"] == 72 * 3600
    assert body["open_cases"] == 0
    assert len(body["daily"]) == 30 and body["daily"][-1]["day"] == timezone.localdate().isoformat()
    assert all(day["opened"] == day["resolved"] == 0 for day in body["daily"])

    numero = open_activation_case(admin, entidad, sent)["numero"]
    question = open_question(logged_in(UserFactory()), sent)["numero"]
    act(desk, question, "tomar")
    sent(act, desk, question, "resolver", "Listo.")
    act(desk, numero, "tomar")
    accept_all(desk, numero)
    sent(act, desk, numero, "activar")
    entidad.refresh_from_db()
    body = get(desk, "/mesa/tablero", days=7).json()
    assert len(body["daily"]) == 7
    assert body["daily"][-1] == {"day": timezone.localdate().isoformat(), "opened": 2, "resolved": 2}
    assert body["open_cases"] == 0
    # Three activations now: 48 h, 96 h and the fixture's entity (seconds): the median is 48 h.
    assert body["median_activation_seconds"] == 48 * 3600
    assert get(desk, "/mesa/tablero", days=0).status_code == 422


def test_dashboard_without_activations(desk):
    body = get(desk, "/mesa/tablero").json()
    assert body == {"daily": body["daily"], "median_activation_seconds": None, "open_cases": 0}
