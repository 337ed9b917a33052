"""Section 3 → "Registrar Entidad" (R3) through the HTTP layer: Validar, Generar formulario, the
form, the documents, drafts that never lose anything, and Finalizar."""

import re

import pytest
from django.core import mail
from django.test import Client

from registro.entities.account.models import Entidad
from registro.entities.membership.models import Membresia
from registro.entities.registration.models import Documento, RegistroEntidad
from tests.entities.conftest import MANDATORY, pdf_upload
from tests.factories import DeskUserFactory, EntidadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(user):
    client = Client()
    client.force_login(user)
    return client


def start(browser, pre_data, **extra):
    response = browser.post("/entidades/registro/nuevo/", {**pre_data, **extra})
    assert response.status_code == 302, response.context["form"].errors
    return RegistroEntidad.objects.latest("pk"), response["Location"]


def test_validar_finds_registered_entities_and_offers_registration_when_none_match(browser):
    EntidadFactory(nombre="GOBERNACION DE ANTIOQUIA", nit="890900286")
    html = browser.get("/entidades/?q=gobernación antioquia").content.decode()
    assert "GOBERNACION DE ANTIOQUIA" in html and "890900286-0" in html and "Pendiente de activación" in html
    none = browser.get("/entidades/?q=Alcaldía de Nunca Jamás").content.decode()
    assert "No hay Entidades registradas" in none
    assert "Registrar Entidad" in none and "/entidades/registro/nuevo/?nombre=" in none


def test_validar_by_a_registered_nit_says_it_cannot_be_registered_again(browser):
    EntidadFactory(nombre="GOBERNACION DE ANTIOQUIA", nit="890900286")
    html = browser.get("/entidades/?q=890.900.286-6").content.decode()
    assert "ya está registrado" in html and "solicite acceso" in html
    assert "/entidades/registro/nuevo/" not in html


def test_pre_form_requires_the_pci_exactly_when_siif_is_yes(browser, pre_data):
    page = browser.get("/entidades/registro/nuevo/").content.decode()
    assert "Generar formulario" in page and 'value="CO"' in page
    response = browser.post("/entidades/registro/nuevo/", {**pre_data, "registrada_siif": "si"})
    assert "Escriba el código PCI" in response.content.decode()
    response = browser.post("/entidades/registro/nuevo/", {**pre_data, "codigo_pci": "13-01-01"})
    assert "Deje el código PCI vacío" in response.content.decode()
    assert not RegistroEntidad.objects.exists()
    start(browser, pre_data, registrada_siif="si", codigo_pci="13-01-01")


def test_the_form_shows_the_guides_fields(browser, pre_data, reference_data):
    _, url = start(browser, pre_data, nombre="Alcaldía de Prueba")
    html = browser.get(url).content.decode()
    for label in [
        "Nombre de la Entidad Estatal",
        "Nombre Abreviado",
        "NIT",
        "Orden",
        "Rama",
        "Sector",
        "Tipo de Entidad",
        "Correo electrónico para notificaciones SECOP II",
        "Anexar documentos",
        "Anexar documento",
        "Buscar Documentos",
        "Anexar",
        "Cerrar",
        "Finalizar",
    ]:
        assert label in html, label
    assert 'value="Alcaldía de Prueba"' in html  # carried from "Validar"


def test_finalizar_lists_everything_missing_at_once_and_keeps_what_was_typed(browser, pre_data, entidad_data):
    registro, url = start(browser, pre_data)
    data = {**entidad_data, "nit": "12", "correo_notificaciones": "no-es-correo", "telefono": "", "rama": ""}
    response = browser.post(url, {**data, "accion": "finalizar", "archivo_rut": pdf_upload("RUT 2026.pdf")})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Falta información o hay datos por corregir" in html
    for fragment in [
        "El NIT tiene entre 6 y 10 dígitos",
        "correo electrónico válida",
        "Rama",
        "Anexe el documento: Último acto de estructura",
        "Anexe el documento: Acta de posesión del ordenador del gasto",
        "Anexe el documento: Autorización del Usuario Administrador",
    ]:
        assert fragment in html, fragment
    assert "Anexe el documento: Registro Único Tributario" not in html  # that one was attached
    assert 'value="Alcaldía Municipal de Medellín"' in html and 'value="no-es-correo"' in html
    assert "RUT 2026.pdf" in html
    assert not Entidad.objects.exists()
    # ...and it is all still there after logging out and back in.
    registro.refresh_from_db()
    assert registro.datos["correo_notificaciones"] == "no-es-correo"
    browser.post("/cuentas/logout/")
    browser.force_login(registro.usuario)
    again = browser.get(url).content.decode()
    assert 'value="no-es-correo"' in again and "RUT 2026.pdf" in again
    assert "Registros en curso" in browser.get("/entidades/").content.decode()


def test_the_whole_registration(browser, user, pre_data, entidad_data, sent):
    registro, url = start(browser, pre_data)
    files = {f"archivo_{tipo}": pdf_upload(f"{tipo}.pdf") for tipo in MANDATORY}
    response = sent(browser.post, url, {**entidad_data, "accion": "finalizar", **files})
    assert response.status_code == 302, response.content.decode()[:3000]
    entidad = Entidad.objects.get()
    assert response["Location"] == f"/entidades/{entidad.pk}/registrada/"
    assert entidad.nombre == "ALCALDIA MUNICIPAL DE MEDELLIN"
    assert (entidad.nombre_abreviado, entidad.nit, entidad.dv) == ("ALCMED", "890905211", "1")
    assert entidad.estado == Entidad.Estado.PENDIENTE
    assert (entidad.telefono, entidad.municipio_id, entidad.departamento_id) == ("6043855555", "05001", "05")
    membresia = Membresia.objects.get(entidad=entidad)
    assert (membresia.usuario, membresia.rol) == (user, Membresia.Rol.ADMINISTRADOR)
    assert set(entidad.documentos.values_list("tipo", flat=True)) == set(MANDATORY)
    registro.refresh_from_db()
    assert registro.estado == RegistroEntidad.Estado.FINALIZADO and registro.entidad == entidad
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([user.email, "contratacion@medellin.gov.co"])
    page = browser.get(response["Location"]).content.decode()
    assert "Pendiente de activación" in page and "Mesa de Servicio" in page
    # The finished registration can't be edited any more.
    assert browser.get(url)["Location"] == f"/entidades/{entidad.pk}/registrada/"


def test_replacing_a_document_keeps_the_earlier_version(browser, pre_data, entidad_data):
    registro, url = start(browser, pre_data)
    browser.post(url, {**entidad_data, "accion": "anexar", "archivo_rut": pdf_upload("rut-viejo.pdf")})
    browser.post(url, {**entidad_data, "accion": "anexar", "archivo_rut": pdf_upload("rut-nuevo.pdf")})
    docs = list(Documento.objects.filter(registro=registro, tipo="rut").order_by("version"))
    assert [(d.nombre_original, d.version, d.vigente) for d in docs] == [
        ("rut-viejo.pdf", 1, False),
        ("rut-nuevo.pdf", 2, True),
    ]
    html = browser.get(url).content.decode()
    assert "Versiones anteriores" in html and "rut-viejo.pdf" in html


def test_a_bad_file_is_refused_with_its_reason_and_nothing_else_is_lost(browser, pre_data, entidad_data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    registro, url = start(browser, pre_data)
    bad = SimpleUploadedFile("acta.pdf.exe", b"MZ\x90\x00binary", content_type="application/octet-stream")
    response = browser.post(
        url, {**entidad_data, "accion": "anexar", "archivo_acto_estructura": bad, "archivo_rut": pdf_upload("rut.pdf")}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "acta.pdf.exe" in html
    assert not Documento.objects.filter(tipo="acto_estructura").exists()
    assert Documento.objects.filter(registro=registro, tipo="rut").exists()
    assert 'value="Alcaldía Municipal de Medellín"' in html


def test_delegation_and_private_entities_change_the_required_documents(browser, pre_data, entidad_data):
    registro, url = start(browser, pre_data, area_negocio="publico_privado")
    data = {**entidad_data, "ordenador_delegado": "si", "certificado_fecha_expedicion": "2001-01-01"}
    html = browser.post(url, {**data, "accion": "finalizar"}).content.decode()
    assert "Acto de delegación" in html and "Acta de posesión del delegado" in html
    assert "Anexe el documento: Acta de posesión del ordenador del gasto" not in html
    assert "Anexe el documento: Certificado de existencia" in html
    assert "últimos 90 días" in html


def test_siif_entities_must_be_of_national_order(browser, pre_data, entidad_data):
    registro, url = start(browser, pre_data, registrada_siif="si", codigo_pci="13-01-01")
    html = browser.post(url, {**entidad_data, "accion": "finalizar"}).content.decode()
    assert "El SIIF solo incluye Entidades del orden nacional" in html


def test_wrong_check_digit_and_municipality_of_another_department(browser, pre_data, entidad_data):
    registro, url = start(browser, pre_data)
    data = {**entidad_data, "nit": "890905211-5", "municipio": "76001"}
    html = browser.post(url, {**data, "accion": "finalizar"}).content.decode()
    assert "El dígito de verificación de este NIT es 1, no 5" in html
    assert "El municipio no pertenece al departamento elegido" in html


def test_an_already_registered_nit_points_to_requesting_access(browser, pre_data, entidad_data):
    EntidadFactory(nit="890905211")
    registro, url = start(browser, pre_data)
    html = browser.post(url, {**entidad_data, "accion": "finalizar"}).content.decode()
    assert "Ya hay una Entidad registrada con el NIT 890905211-1" in html and "solicite acceso" in html


def test_parent_entity_must_be_a_registered_one(browser, pre_data, entidad_data):
    parent = EntidadFactory(nombre="MINISTERIO DE PRUEBA", nit="899999001")
    registro, url = start(browser, pre_data)
    html = browser.post(
        url, {**entidad_data, "entidad_superior_nombre": "Ministerio inventado", "accion": "finalizar"}
    ).content.decode()
    assert "Elija la Entidad de la que depende entre las registradas" in html
    files = {f"archivo_{tipo}": pdf_upload() for tipo in MANDATORY}
    data = {**entidad_data, "entidad_superior_nombre": parent.nombre, "entidad_superior_nit": parent.nit}
    assert browser.post(url, {**data, "accion": "finalizar", **files}).status_code == 302
    assert Entidad.objects.get(nit="890905211").entidad_superior == parent


def test_someone_elses_draft_and_documents_are_not_found(browser, pre_data, entidad_data):
    registro, url = start(browser, pre_data)
    browser.post(url, {**entidad_data, "accion": "anexar", "archivo_rut": pdf_upload()})
    documento = Documento.objects.get()
    intruder = Client()
    intruder.force_login(UserFactory())
    assert intruder.get(url).status_code == 404
    assert intruder.post(url, {"nombre": "Robo"}).status_code == 404
    assert intruder.get(f"/entidades/documentos/{documento.pk}/").status_code == 404
    own = browser.get(f"/entidades/documentos/{documento.pk}/")
    assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"%PDF-")
    desk = Client()
    desk.force_login(DeskUserFactory())
    assert desk.get(f"/entidades/documentos/{documento.pk}/").status_code == 200


def test_documents_of_a_registered_entity_are_for_its_members_only(browser, user, pre_data, entidad_data):
    registro, url = start(browser, pre_data)
    files = {f"archivo_{tipo}": pdf_upload() for tipo in MANDATORY}
    browser.post(url, {**entidad_data, "accion": "finalizar", **files})
    documento = Documento.objects.filter(entidad__isnull=False).first()
    assert browser.get(f"/entidades/documentos/{documento.pk}/").status_code == 200
    outsider = Client()
    outsider.force_login(UserFactory())
    assert outsider.get(f"/entidades/documentos/{documento.pk}/").status_code == 404
    assert outsider.get(f"/entidades/{documento.entidad_id}/registrada/").status_code == 404


def test_deleting_a_draft_removes_its_files(browser, pre_data, entidad_data, django_capture_on_commit_callbacks):
    registro, url = start(browser, pre_data)
    browser.post(url, {**entidad_data, "accion": "anexar", "archivo_rut": pdf_upload()})
    stored = Documento.objects.get()
    storage, name = stored.archivo.storage, stored.archivo.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(f"/entidades/registro/{registro.pk}/eliminar/")
    assert not RegistroEntidad.objects.exists() and not storage.exists(name)


def test_stored_files_keep_name_size_hash_type_uploader_and_time(browser, user, pre_data, entidad_data):
    import hashlib

    registro, url = start(browser, pre_data)
    upload = pdf_upload("Resolución ñandú 001.pdf")
    content = upload.read()
    upload.seek(0)
    browser.post(url, {**entidad_data, "accion": "anexar", "archivo_rut": upload})
    doc = Documento.objects.get()
    assert doc.nombre_original == "Resolución ñandú 001.pdf"
    assert (doc.tamano, doc.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert doc.content_type == "application/pdf" and doc.subido_por == user and doc.subido_en
    assert re.fullmatch(r"documentos/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", doc.archivo.name)
