"""Section 3 → "Registrar Entidad" (R3) through the JSON API (/api/v1/entidades/...): the pre-form,
the draft that keeps what was typed, documents with versions, the verification, "Finalizar", who may
see what, and the reference lists the form needs. The web pages are in test_registration_web.py."""

import hashlib
import os
from datetime import date

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from registro.core.services import tipos_empresa_load
from registro.entities.account.models import Entidad
from registro.entities.membership.models import Membresia
from registro.entities.registration.models import Documento, RegistroEntidad
from tests.entities.conftest import MANDATORY, pdf_bytes, pdf_upload
from tests.factories import PASSWORD, DeskUserFactory, EntidadFactory, MembresiaFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
REGISTROS = f"{API}/entidades/registros"


@pytest.fixture
def api(user):
    """The site's own pages' way in: the session cookie (the test Client skips CSRF checks)."""
    client = Client()
    client.force_login(user)
    return client


def logged_in(user=None) -> Client:
    client = Client()
    client.force_login(user or UserFactory())
    return client


def create(api, pre_data, **extra) -> dict:
    response = api.post(REGISTROS, {**pre_data, **extra}, content_type="application/json")
    assert response.status_code == 201, response.json()
    return response.json()


def patch(api, registro_id, datos):
    return api.patch(f"{REGISTROS}/{registro_id}", {"datos": datos}, content_type="application/json")


def attach(api, registro_id, tipo, upload=None):
    # Multipart: the `tipo` form field and the `archivo` file.
    return api.post(f"{REGISTROS}/{registro_id}/documentos", {"tipo": tipo, "archivo": upload or pdf_upload()})


def stored_files(settings) -> list[str]:
    return [os.path.join(root, f) for root, _dirs, files in os.walk(settings.MEDIA_ROOT) for f in files]


@pytest.fixture
def complete(api, pre_data, entidad_data):
    """A draft with every field valid and the four mandatory documents attached."""
    registro = create(api, pre_data)
    assert patch(api, registro["id"], entidad_data).status_code == 200
    for tipo in MANDATORY:
        assert attach(api, registro["id"], tipo, pdf_upload(f"{tipo}.pdf")).status_code == 201
    return registro


# --- Generar formulario (the pre-form) -------------------------------------------------------------


def test_generar_formulario_creates_a_draft_with_the_pre_form_answers(api, user, pre_data):
    body = create(api, pre_data, nombre="Alcaldía de Prueba", nit="890905211")
    assert body["estado"] == "borrador" and body["entidad_id"] is None
    assert body["datos"] == {**pre_data, "nombre": "Alcaldía de Prueba", "nit": "890905211"}
    registro = RegistroEntidad.objects.get(pk=body["id"])
    assert registro.usuario == user


def test_an_invalid_pre_form_is_a_400_naming_every_field_and_creates_nothing(api, pre_data):
    response = api.post(
        REGISTROS,
        {**pre_data, "registrada_siif": "si", "codigo_pci": "", "area_negocio": "otra", "tipo_organizacion": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    fields = body["detail"]["fields"]
    assert set(fields) == {"codigo_pci", "area_negocio", "tipo_organizacion"}
    assert "Escriba el código PCI" in fields["codigo_pci"][0]
    pci_without_siif = api.post(REGISTROS, {**pre_data, "codigo_pci": "13-01-01"}, content_type="application/json")
    assert pci_without_siif.status_code == 400
    assert "Deje el código PCI vacío" in pci_without_siif.json()["detail"]["fields"]["codigo_pci"][0]
    assert not RegistroEntidad.objects.exists()


def test_a_missing_pre_form_answer_is_a_schema_error(api, pre_data):
    data = {k: v for k, v in pre_data.items() if k != "area_negocio"}
    response = api.post(REGISTROS, data, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert not RegistroEntidad.objects.exists()


def test_the_registration_api_needs_a_session_and_the_current_terms(client, pre_data):
    assert client.get(REGISTROS).status_code == 401
    response = client.post(REGISTROS, pre_data, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    no_terms = logged_in(UserFactory(verified=False))
    response = no_terms.post(REGISTROS, pre_data, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "terms_not_accepted")
    assert not RegistroEntidad.objects.exists()


def test_the_headless_session_token_works_too(client, pre_data):
    user = UserFactory()
    login = client.post(
        f"{API}/auth/app/v1/auth/login",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert login.status_code == 200, login.json()
    headers = {"X-Session-Token": login.json()["meta"]["session_token"]}
    app = Client()  # no cookie at all: only the token
    created = app.post(REGISTROS, pre_data, content_type="application/json", headers=headers)
    assert created.status_code == 201, created.json()
    registro_id = created.json()["id"]
    assert [r["id"] for r in app.get(REGISTROS, headers=headers).json()] == [registro_id]
    upload = app.post(
        f"{REGISTROS}/{registro_id}/documentos", {"tipo": "rut", "archivo": pdf_upload()}, headers=headers
    )
    assert upload.status_code == 201
    assert RegistroEntidad.objects.get(pk=registro_id).usuario == user


# --- The draft: list, detail and PATCH --------------------------------------------------------------


def test_list_and_detail_show_only_the_users_drafts_in_progress(api, user, pre_data):
    mine = create(api, pre_data, nombre="Primera")
    second = create(api, pre_data, nombre="Segunda")
    create(logged_in(), pre_data, nombre="De otra persona")
    RegistroEntidad.objects.filter(pk=mine["id"]).update(estado=RegistroEntidad.Estado.FINALIZADO)

    listed = api.get(REGISTROS)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()] == [second["id"]]  # finished ones are not "en curso"
    detail = api.get(f"{REGISTROS}/{second['id']}")
    assert detail.status_code == 200
    assert detail.json()["datos"]["nombre"] == "Segunda"


def test_patch_keeps_every_value_as_typed_even_when_invalid(api, pre_data):
    registro = create(api, pre_data, nombre="Alcaldía")
    typed = {
        "nombre": "  Alcaldía   Municipal de  Medellín ",
        "nit": "12",
        "correo_notificaciones": "no-es-correo",
        "telefono": "(604) 385-5555 ext. 1",
        "municipio": "99999",
    }
    response = patch(api, registro["id"], typed)
    assert response.status_code == 200
    datos = response.json()["datos"]
    assert {k: datos[k] for k in typed} == typed
    assert datos["area_negocio"] == "publico"  # the pre-form's answers stay
    assert RegistroEntidad.objects.get(pk=registro["id"]).datos == datos

    # A later PATCH changes only what it sends; null leaves a value alone; unknown keys are dropped;
    # huge values are capped.
    response = patch(api, registro["id"], {"nit": "890905211", "nombre": None, "es_admin": "si", "sector": "x" * 5000})
    datos = response.json()["datos"]
    assert datos["nit"] == "890905211" and datos["nombre"] == typed["nombre"]
    assert datos["correo_notificaciones"] == "no-es-correo"
    assert "es_admin" not in datos
    assert len(datos["sector"]) == 1000


def test_patch_values_must_be_text(api, pre_data):
    registro = create(api, pre_data)
    response = api.patch(
        f"{REGISTROS}/{registro['id']}", {"datos": {"nit": ["890905211"]}}, content_type="application/json"
    )
    assert response.status_code == 422
    assert RegistroEntidad.objects.get(pk=registro["id"]).datos["nit"] == ""


# --- Documents ----------------------------------------------------------------------------------------


def test_attaching_a_document_returns_its_hash_size_and_version(api, user, pre_data):
    registro = create(api, pre_data)
    content = pdf_bytes(pages=2)
    response = attach(
        api, registro["id"], "rut", SimpleUploadedFile("RUT Alcaldía.pdf", content, content_type="text/plain")
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["tamano"] == len(content)
    assert (body["version"], body["vigente"], body["tipo"]) == (1, True, "rut")
    assert body["tipo_label"] == "Registro Único Tributario (RUT)"
    assert body["nombre_original"] == "RUT Alcaldía.pdf"
    assert body["content_type"] == "application/pdf"  # from the content, not from the client
    assert body["url"] == f"/api/v1/entidades/documentos/{body['id']}/archivo"
    documento = Documento.objects.get(pk=body["id"])
    assert documento.registro_id == registro["id"] and documento.entidad_id is None
    assert documento.subido_por == user


def test_replacing_a_document_keeps_the_earlier_version_and_the_list_shows_both(api, pre_data):
    registro = create(api, pre_data)
    first = attach(api, registro["id"], "rut", pdf_upload("rut-2025.pdf")).json()
    second = attach(api, registro["id"], "rut", pdf_upload("rut-2026.pdf")).json()
    attach(api, registro["id"], "acto_estructura", pdf_upload("acto.pdf"))
    assert second["version"] == 2

    listed = api.get(f"{REGISTROS}/{registro['id']}/documentos")
    assert listed.status_code == 200
    rows = [(d["tipo"], d["nombre_original"], d["version"], d["vigente"]) for d in listed.json()]
    assert rows == [
        ("acto_estructura", "acto.pdf", 1, True),
        ("rut", "rut-2026.pdf", 2, True),
        ("rut", "rut-2025.pdf", 1, False),
    ]
    assert Documento.objects.get(pk=first["id"]).vigente is False


# The upload corpus every upload path is held to (the supplier library's too: test_supplier_library.py).
FORBIDDEN_UPLOADS = [
    ("acta.exe", b"MZ\x90\x00binary", "file_extension_forbidden"),
    ("acta.pdf.exe", pdf_bytes(), "file_extension_forbidden"),
    ("notas.txt", b"texto plano", "file_extension_forbidden"),
    ("ACTA.PDF.BAT", b"@echo off", "file_extension_forbidden"),
    ("acta.pdf", b"MZ\x90\x00" + b"\x00" * 200, "file_executable"),
    ("acta.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120, "file_executable"),
    ("acta.pdf", b"esto no es un PDF", "file_content_mismatch"),
    ("acta.pdf", b"%PDF-1.7\n1 0 obj\n<<", "file_pdf_corrupt"),
    ("acta.pdf", b"", "file_empty"),
    ("acta", pdf_bytes(), "file_no_extension"),
    ("acta.docm", b"PK\x03\x04", "file_office_macros"),
]


# The same upload rules for every registration's documents: an entity's, and each of a supplier's.
DRAFT_DOCUMENTS = [
    ("entidad_estatal", "acto_estructura"),
    ("proveedor", "rut"),
    ("proveedor", "certificado_existencia"),
    ("proveedor", "documento_identidad"),
    ("proveedor", "rup"),
]


@pytest.fixture
def draft_of_kind(api, pre_data):
    def make(kind: str) -> dict:
        if kind == "proveedor":
            tipos_empresa_load()  # the supplier pre-form's list, without the rest of the reference data
            data = {"pais": "CO", "area_negocio": "privado", "tipo_empresa": "sas"}
            response = api.post(f"{API}/proveedores/registros", data, content_type="application/json")
            assert response.status_code == 201, response.json()
            return response.json()
        return create(api, pre_data)

    return make


@pytest.mark.parametrize(("kind", "tipo"), DRAFT_DOCUMENTS, ids=[t for _k, t in DRAFT_DOCUMENTS])
@pytest.mark.parametrize(("name", "content", "code"), FORBIDDEN_UPLOADS)
def test_a_forbidden_file_is_refused_with_its_code_and_nothing_is_stored(
    api, settings, draft_of_kind, kind, tipo, name, content, code
):
    registro = draft_of_kind(kind)
    response = attach(api, registro["id"], tipo, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code, body
    assert body["detail"]["file"] == name
    assert name in body["message"]
    assert not Documento.objects.exists()
    assert stored_files(settings) == []


def test_a_refused_replacement_leaves_the_current_version_alone(api, settings, pre_data):
    registro = create(api, pre_data)
    attach(api, registro["id"], "rut", pdf_upload("rut.pdf"))
    response = attach(api, registro["id"], "rut", SimpleUploadedFile("rut.gif", b"GIF89a..."))
    assert (response.status_code, response.json()["code"]) == (400, "file_extension_forbidden")
    assert [(d.nombre_original, d.version, d.vigente) for d in Documento.objects.all()] == [("rut.pdf", 1, True)]
    assert len(stored_files(settings)) == 1


def test_an_unknown_document_type_is_refused(api, settings, pre_data):
    registro = create(api, pre_data)
    response = attach(api, registro["id"], "foto_del_alcalde")
    assert response.status_code == 400
    assert response.json()["detail"]["fields"]["tipo"]
    assert not Documento.objects.exists() and stored_files(settings) == []
    no_file = api.post(f"{REGISTROS}/{registro['id']}/documentos", {"tipo": "rut"})
    assert no_file.status_code == 422


# --- Verificación and Finalizar --------------------------------------------------------------------


def test_verificacion_lists_every_error_and_every_missing_document_at_once(api, pre_data, entidad_data):
    registro = create(api, pre_data)
    patch(
        api,
        registro["id"],
        {**entidad_data, "nit": "12", "correo_notificaciones": "no-es-correo", "telefono": "", "rama": ""},
    )
    attach(api, registro["id"], "rut")
    response = api.get(f"{REGISTROS}/{registro['id']}/verificacion")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert set(body["errors"]) == {"nit", "correo_notificaciones", "telefono", "rama"}
    assert "El NIT tiene entre 6 y 10 dígitos" in body["errors"]["nit"][0]
    assert body["missing_documents"] == ["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador"]
    # Verifying changes nothing.
    assert RegistroEntidad.objects.get(pk=registro["id"]).estado == RegistroEntidad.Estado.BORRADOR
    assert not Entidad.objects.exists()


def test_verificacion_of_a_complete_draft_is_ok(api, complete):
    body = api.get(f"{REGISTROS}/{complete['id']}/verificacion").json()
    assert body == {"ok": True, "errors": {}, "missing_documents": []}


def test_finalizar_an_incomplete_draft_is_a_400_listing_everything(api, pre_data, entidad_data):
    registro = create(api, pre_data)
    patch(api, registro["id"], {**entidad_data, "correo_notificaciones": "no-es-correo", "municipio": "76001"})
    attach(api, registro["id"], "rut")
    attach(api, registro["id"], "acto_estructura")
    response = api.post(f"{REGISTROS}/{registro['id']}/finalizar")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    detail = body["detail"]
    assert set(detail["fields"]) == {"correo_notificaciones", "municipio"}
    assert "no pertenece al departamento" in detail["fields"]["municipio"][0]
    assert detail["missing_documents"] == ["acta_posesion_ordenador", "autorizacion_administrador"]
    assert detail["missing_labels"] == [
        "Acta de posesión del ordenador del gasto",
        "Autorización del Usuario Administrador",
    ]
    assert not Entidad.objects.exists() and not Membresia.objects.exists()
    assert RegistroEntidad.objects.get(pk=registro["id"]).estado == RegistroEntidad.Estado.BORRADOR


def test_finalizar_creates_the_pending_entity_with_its_administrator_and_sends_two_emails(api, user, complete, sent):
    response = sent(api.post, f"{REGISTROS}/{complete['id']}/finalizar")
    assert response.status_code == 201, response.json()
    body = response.json()
    entidad = Entidad.objects.get()
    assert body["id"] == entidad.pk
    assert body["estado"] == "pendiente"
    assert (body["nit"], body["dv"]) == ("890905211", "1")  # DIAN check digit, computed
    assert body["nombre"] == "ALCALDIA MUNICIPAL DE MEDELLIN"
    assert body["nombre_abreviado"] == "ALCMED"
    assert body["telefono"] == "6043855555"
    assert (body["orden"], body["rama"]) == ("Territorial", "Ejecutiva")
    assert (body["departamento_id"], body["municipio_id"]) == ("05", "05001")
    assert body["registrada_siif"] is False and body["ordenador_delegado"] is False
    assert body["correo_notificaciones"] == "contratacion@medellin.gov.co"

    membresia = Membresia.objects.get()
    assert (membresia.usuario, membresia.entidad, membresia.rol) == (user, entidad, Membresia.Rol.ADMINISTRADOR)
    assert set(entidad.documentos.values_list("tipo", flat=True)) == set(MANDATORY)
    registro = RegistroEntidad.objects.get(pk=complete["id"])
    assert (registro.estado, registro.entidad) == (RegistroEntidad.Estado.FINALIZADO, entidad)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([user.email, "contratacion@medellin.gov.co"])
    assert all(m.subject.startswith("[Registro SECOP]") for m in mail.outbox)

    # The draft is no longer "en curso", but its detail tells where the entity is.
    assert api.get(REGISTROS).json() == []
    assert api.get(f"{REGISTROS}/{complete['id']}").json()["entidad_id"] == entidad.pk
    assert api.get(f"{API}/entidades/{entidad.pk}").json()["estado"] == "pendiente"


def test_finalizar_twice_is_a_conflict_and_changes_nothing(api, complete, sent):
    assert sent(api.post, f"{REGISTROS}/{complete['id']}/finalizar").status_code == 201
    mail.outbox.clear()
    again = sent(api.post, f"{REGISTROS}/{complete['id']}/finalizar")
    assert again.status_code == 409, again.json()
    assert "ya fue finalizado" in again.json()["message"]
    assert Entidad.objects.count() == 1 and Membresia.objects.count() == 1
    assert mail.outbox == []
    # A finished registration can't be changed either.
    assert patch(api, complete["id"], {"nombre": "Otra"}).status_code == 409
    assert attach(api, complete["id"], "rut").status_code == 409
    assert api.delete(f"{REGISTROS}/{complete['id']}").status_code == 409
    assert Documento.objects.filter(vigente=True).count() == len(MANDATORY)


def test_public_private_entities_keep_the_certificates_date(api, pre_data, entidad_data, sent):
    registro = create(api, pre_data, area_negocio="publico_privado")
    today = timezone.localdate()
    patch(api, registro["id"], {**entidad_data, "certificado_fecha_expedicion": today.isoformat()})
    for tipo in [*MANDATORY, "certificado_existencia"]:
        attach(api, registro["id"], tipo)
    response = sent(api.post, f"{REGISTROS}/{registro['id']}/finalizar")
    assert response.status_code == 201, response.json()
    assert response.json()["area_negocio"] == "publico_privado"
    certificado = Documento.objects.get(tipo="certificado_existencia")
    assert certificado.fecha_expedicion == today


def test_an_old_certificate_and_a_missing_one_are_both_reported(api, pre_data, entidad_data):
    registro = create(api, pre_data, area_negocio="publico_privado")
    patch(api, registro["id"], {**entidad_data, "certificado_fecha_expedicion": date(2001, 1, 1).isoformat()})
    for tipo in MANDATORY:
        attach(api, registro["id"], tipo)
    detail = api.post(f"{REGISTROS}/{registro['id']}/finalizar").json()["detail"]
    assert "últimos 90 días" in detail["fields"]["certificado_fecha_expedicion"][0]
    assert detail["missing_documents"] == ["certificado_existencia"]


def test_an_already_registered_nit_is_reported_by_finalizar(api, complete):
    EntidadFactory(nit="890905211")
    response = api.post(f"{REGISTROS}/{complete['id']}/finalizar")
    assert response.status_code == 400
    assert "Ya hay una Entidad registrada con el NIT 890905211-1" in response.json()["detail"]["fields"]["nit"][0]
    assert Entidad.objects.count() == 1 and not Membresia.objects.exists()


def test_deleting_a_draft_removes_it_and_its_files(api, settings, pre_data, django_capture_on_commit_callbacks):
    registro = create(api, pre_data)
    attach(api, registro["id"], "rut")
    assert len(stored_files(settings)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"{REGISTROS}/{registro['id']}")
    assert response.status_code == 204
    assert not RegistroEntidad.objects.exists() and not Documento.objects.exists()
    assert stored_files(settings) == []


# --- Someone else's registration, entity and documents ----------------------------------------------


def test_someone_elses_registration_is_not_found_for_every_operation(api, complete, entidad_data):
    intruder = logged_in()
    url = f"{REGISTROS}/{complete['id']}"
    responses = {
        "detail": intruder.get(url),
        "patch": patch(intruder, complete["id"], {"nombre": "Robo"}),
        "attach": attach(intruder, complete["id"], "rut", pdf_upload("falso.pdf")),
        "documents": intruder.get(f"{url}/documentos"),
        "verify": intruder.get(f"{url}/verificacion"),
        "finalize": intruder.post(f"{url}/finalizar"),
        "delete": intruder.delete(url),
    }
    for operation, response in responses.items():
        assert response.status_code == 404, operation
        assert response.json()["code"] == "not_found", operation
    assert intruder.get(REGISTROS).json() == []
    registro = RegistroEntidad.objects.get(pk=complete["id"])
    assert registro.datos["nombre"] == entidad_data["nombre"] and registro.estado == RegistroEntidad.Estado.BORRADOR
    assert not Documento.objects.filter(nombre_original="falso.pdf").exists()
    assert not Entidad.objects.exists()
    assert api.get(url).status_code == 200  # still the author's
    # A registration that doesn't exist looks just the same.
    assert intruder.get(f"{REGISTROS}/999999").status_code == 404


def test_an_entity_is_visible_to_its_members_and_the_service_desk_only(api, complete, sent):
    entidad_id = sent(api.post, f"{REGISTROS}/{complete['id']}/finalizar").json()["id"]
    url = f"{API}/entidades/{entidad_id}"
    assert api.get(url).status_code == 200
    outsider = logged_in().get(url)
    assert (outsider.status_code, outsider.json()["code"]) == (404, "not_found")
    assert logged_in(DeskUserFactory()).get(url).status_code == 200
    other = MembresiaFactory(rol=Membresia.Rol.COMPRADOR)
    assert logged_in(other.usuario).get(f"{API}/entidades/{other.entidad_id}").status_code == 200
    assert api.get(f"{API}/entidades/{other.entidad_id}").status_code == 404
    assert api.get(f"{API}/entidades/999999").status_code == 404
    assert Client().get(url).status_code == 401


def download(client, documento_id):
    response = client.get(f"{API}/entidades/documentos/{documento_id}/archivo")
    if response.status_code == 200:
        # Consuming the stream closes the file (the test client's wrapper; calling close() again
        # would signal request_finished and close the test's database connection).
        return response, b"".join(response.streaming_content)
    return response, None


def test_a_draft_document_is_downloaded_by_its_author_and_the_service_desk_only(api, pre_data):
    registro = create(api, pre_data)
    body = attach(api, registro["id"], "rut", pdf_upload("RUT Alcaldía.pdf")).json()
    response, content = download(api, body["id"])
    assert response.status_code == 200
    assert content.startswith(b"%PDF-") and hashlib.sha256(content).hexdigest() == body["sha256"]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert download(logged_in(DeskUserFactory()), body["id"])[0].status_code == 200
    assert download(logged_in(), body["id"])[0].status_code == 404
    anonymous = download(Client(), body["id"])[0]
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")


def test_a_registered_entitys_document_is_for_its_members_and_the_service_desk(api, complete, sent):
    entidad_id = sent(api.post, f"{REGISTROS}/{complete['id']}/finalizar").json()["id"]
    documento = Documento.objects.filter(entidad_id=entidad_id, tipo="rut").get()
    assert download(api, documento.pk)[0].status_code == 200  # the creator, now its Administrador
    comprador = UserFactory()
    MembresiaFactory(usuario=comprador, entidad_id=entidad_id, rol=Membresia.Rol.COMPRADOR)
    assert download(logged_in(comprador), documento.pk)[0].status_code == 200
    assert download(logged_in(DeskUserFactory()), documento.pk)[0].status_code == 200
    outsider = download(logged_in(), documento.pk)[0]
    assert (outsider.status_code, outsider.json()["code"]) == (404, "not_found")
    assert download(Client(), documento.pk)[0].status_code == 401
    assert download(api, 999999)[0].status_code == 404


# --- Reference lists the form needs ------------------------------------------------------------------


def test_reference_departamentos(client, reference_data):
    response = client.get(f"{API}/reference/departamentos")
    assert response.status_code == 200
    rows = response.json()
    assert {"value": "05", "label": "ANTIOQUIA"} in rows
    assert len(rows) == 33
    labels = [r["label"] for r in rows]
    assert labels == sorted(labels)


def test_reference_municipios_of_one_department(client, reference_data):
    response = client.get(f"{API}/reference/municipios", {"departamento": "05"})
    assert response.status_code == 200
    rows = response.json()
    assert {"value": "05001", "label": "MEDELLÍN"} in rows
    assert all(r["value"].startswith("05") for r in rows)
    assert len(rows) == 125
    assert client.get(f"{API}/reference/municipios", {"departamento": "00"}).json() == []


@pytest.mark.parametrize("query", [{"departamento": "5"}, {"departamento": "antioquia"}, {}])
def test_reference_municipios_with_an_invalid_department_code_is_a_422(client, reference_data, query):
    response = client.get(f"{API}/reference/municipios", query)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_reference_clasificaciones(client, reference_data):
    response = client.get(f"{API}/reference/clasificaciones", {"campo": "orden"})
    assert response.status_code == 200
    labels = [r["label"] for r in response.json()]
    assert "Nacional" in labels and "Territorial" in labels
    assert all(r["value"].isdigit() for r in response.json())
    assert client.get(f"{API}/reference/clasificaciones", {"campo": "color"}).status_code == 422
