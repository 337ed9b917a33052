"""The account's document library (R9.3) through the HTTP layer and the API: every member sees it,
"Gestionar la biblioteca" adds, versions, changes visibility and retires; titles unique per type
among current documents; nothing is ever deleted; private documents are downloaded only by the
account's users and the desk; and the upload corpus rules hold for library uploads too."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from registro.entities.account.models import EventoEntidad
from registro.entities.registration.models import Documento
from registro.entities.supplier import library
from tests.entities.conftest import pdf_bytes, pdf_upload
from tests.entities.supplier_world import API, logged_in
from tests.entities.test_registration_api import FORBIDDEN_UPLOADS
from tests.entities.test_upload_limits import GuardedInput, post_raw

PAGE = "/entidad/biblioteca/"
BIBLIOTECA = f"{API}/entidad/biblioteca"
MIB = 1024 * 1024


def stored_files(settings) -> list[str]:
    return [os.path.join(root, f) for root, _dirs, files in os.walk(settings.MEDIA_ROOT) for f in files]


def add(client, tipo="experiencia", titulo="Contrato de suministro INVIAS 2024", visibilidad="directorio", **kw):
    archivo = kw.pop("archivo", None) or pdf_upload("contrato-invias.pdf")
    return client.post(PAGE, {"tipo": tipo, "titulo": titulo, "visibilidad": visibilidad, "archivo": archivo}, **kw)


def js_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def library_rows(entidad) -> list[tuple]:
    return list(
        Documento.objects.filter(entidad=entidad)
        .order_by("tipo", "titulo", "version")
        .values_list("tipo", "titulo", "version", "vigente", "visibilidad")
    )


# --- The page -----------------------------------------------------------------------------------


def test_add_version_change_visibility_and_retire_keeping_everything(world, settings):
    client = logged_in(world.bibliotecario)
    response = add(client, follow=True)
    assert "Agregamos «Contrato de suministro INVIAS 2024» a la biblioteca." in response.content.decode()
    documento = Documento.objects.get(entidad=world.proveedor)
    assert (documento.tipo, documento.titulo, documento.version, documento.vigente) == (
        "experiencia",
        "Contrato de suministro INVIAS 2024",
        1,
        True,
    )
    assert documento.subido_por == world.bibliotecario and documento.registro is None
    html = client.get(PAGE).content.decode()
    assert "contrato-invias.pdf" in html and "Visible en el Directorio" in html

    # A new version: same type, title and visibility; the earlier one is kept.
    version = client.post(
        f"{PAGE}{documento.pk}/version/", {"archivo": pdf_upload("contrato-invias-firmado.pdf")}, follow=True
    )
    assert "Subimos la versión 2 de «Contrato de suministro INVIAS 2024»." in version.content.decode()
    assert library_rows(world.proveedor) == [
        ("experiencia", "Contrato de suministro INVIAS 2024", 1, False, "directorio"),
        ("experiencia", "Contrato de suministro INVIAS 2024", 2, True, "directorio"),
    ]
    current = Documento.objects.get(entidad=world.proveedor, vigente=True)

    # Private: every version follows.
    client.post(f"{PAGE}{current.pk}/visibilidad/", {"visibilidad": "privado"})
    assert {row[4] for row in library_rows(world.proveedor)} == {"privado"}
    # Retired: no longer current, kept with its versions; the title is free again.
    retired = client.post(f"{PAGE}{current.pk}/retirar/", follow=True)
    assert "queda en el historial" in retired.content.decode()
    assert [row[3] for row in library_rows(world.proveedor)] == [False, False]
    assert len(stored_files(settings)) == 2
    html = client.get(PAGE).content.decode()
    assert "La biblioteca aún no tiene documentos." in html and "Versiones anteriores y documentos retirados" in html
    assert add(client).status_code == 302

    tipos = list(
        EventoEntidad.objects.filter(entidad=world.proveedor)
        .order_by("created_at", "id")
        .values_list("tipo", flat=True)
    )
    assert tipos == [
        EventoEntidad.Tipo.DOCUMENTO_AGREGADO,
        EventoEntidad.Tipo.DOCUMENTO_ACTUALIZADO,
        EventoEntidad.Tipo.DOCUMENTO_ACTUALIZADO,
        EventoEntidad.Tipo.DOCUMENTO_RETIRADO,
        EventoEntidad.Tipo.DOCUMENTO_AGREGADO,
    ]
    historial = logged_in(world.admin).get("/entidad/historial/").content.decode()
    assert "Documento de la biblioteca modificado: Experiencia: Contrato de suministro INVIAS 2024" in historial
    assert "Visibilidad</span>:" in historial and "Privado: solo los usuarios de la cuenta" in historial


def test_every_member_sees_the_library_and_its_legal_documents_but_only_the_permission_changes_it(world):
    library_doc = library.documento_add(
        entidad=world.proveedor,
        user=world.admin,
        data={"tipo": "estados_financieros", "titulo": "Estados financieros 2025", "visibilidad": "privado"},
        uploaded=pdf_upload("eeff-2025.pdf"),
    )
    rut = Documento.objects.create(
        entidad=world.proveedor,
        tipo="rut",
        archivo="documentos/rut.pdf",
        nombre_original="rut.pdf",
        tamano=10,
        sha256="0" * 64,
        content_type="application/pdf",
        subido_en=library_doc.subido_en,
    )
    client = logged_in(world.plain)
    page = client.get(PAGE)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Estados financieros 2025" in html and "Registro Único Tributario (RUT)" in html
    assert 'name="archivo"' not in html and "Retirar" not in html and "Agregar un documento" not in html
    before = library_rows(world.proveedor)
    assert add(client).status_code == 403
    for accion in ("version", "visibilidad", "retirar"):
        assert client.post(f"{PAGE}{library_doc.pk}/{accion}/", {"visibilidad": "directorio"}).status_code == 403
    assert library_rows(world.proveedor) == before
    # Legal documents are not the library's to change; neither are other accounts' documents.
    admin = logged_in(world.admin)
    assert admin.post(f"{PAGE}{rut.pk}/retirar/").status_code == 404
    assert admin.post(f"{PAGE}{library_doc.pk}/borrar/").status_code == 404
    other = library.documento_add(
        entidad=world.natural,
        user=world.natural_admin,
        data={"tipo": "otro", "titulo": "Portafolio", "visibilidad": "directorio"},
        uploaded=pdf_upload(),
    )
    assert admin.post(f"{PAGE}{other.pk}/retirar/").status_code == 404
    assert Documento.objects.get(pk=other.pk).vigente is True


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"tipo": "rut"}, "tipo", "Escoja una opción válida"),
        ({"tipo": ""}, "tipo", "Este campo es obligatorio."),
        ({"titulo": "   "}, "titulo", "Este campo es obligatorio."),
        ({"titulo": "x" * 151}, "titulo", "150 caracteres"),
        ({"visibilidad": "todos"}, "visibilidad", "Escoja una opción válida"),
    ],
)
def test_wrong_data_is_refused_with_its_message_and_nothing_is_stored(world, settings, data, field, message):
    response = add(logged_in(world.admin), **data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#id_{field}"' in html and message in html
    assert not Documento.objects.exists() and stored_files(settings) == []


def test_a_missing_file_and_a_duplicate_title_are_refused(world, settings):
    client = logged_in(world.admin)
    missing = client.post(PAGE, {"tipo": "otro", "titulo": "Brochure", "visibilidad": "directorio"})
    assert missing.status_code == 400 and "Elija el archivo que va a subir." in missing.content.decode()
    assert add(client).status_code == 302
    duplicate = add(client, titulo="contrato de suministro invias 2024")
    assert duplicate.status_code == 400
    assert "Ya hay un documento «Experiencia» con el título «Contrato de suministro INVIAS 2024»" in (
        duplicate.content.decode()
    )
    # The same title under another type is another document.
    assert add(client, tipo="otro").status_code == 302
    assert len(stored_files(settings)) == 2 and Documento.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        *FORBIDDEN_UPLOADS,
        ("acta.pdf", js_pdf(), "file_pdf_javascript"),
        ("presupuesto.xlsm", b"PK\x03\x04" + b"\x00" * 40, "file_office_macros"),
    ],
)
def test_the_upload_corpus_rules_hold_for_library_documents(world, settings, name, content, code):
    """The same checks as every other upload (tests/entities/test_registration_api.py), on the
    page, in the API and for a new version."""
    client = logged_in(world.admin)
    page = add(client, archivo=SimpleUploadedFile(name, content))
    assert page.status_code == 400
    html = page.content.decode()
    assert 'href="#id_archivo"' in html and name in html
    api = client.post(BIBLIOTECA, {"tipo": "otro", "titulo": "Brochure", "archivo": SimpleUploadedFile(name, content)})
    assert api.status_code == 400 and api.json()["code"] == code, api.json()
    assert api.json()["detail"]["file"] == name
    assert not Documento.objects.exists() and stored_files(settings) == []
    # A refused new version leaves the current one alone.
    documento = library.documento_add(
        entidad=world.proveedor,
        user=world.admin,
        data={"tipo": "otro", "titulo": "Brochure", "visibilidad": "directorio"},
        uploaded=pdf_upload("brochure.pdf"),
    )
    version = client.post(f"{BIBLIOTECA}/{documento.pk}/versiones", {"archivo": SimpleUploadedFile(name, content)})
    assert version.status_code == 400 and version.json()["code"] == code
    assert library_rows(world.proveedor) == [("otro", "Brochure", 1, True, "directorio")]
    assert len(stored_files(settings)) == 1


def test_a_declared_huge_library_upload_is_refused_before_reading_it(world):
    client = logged_in(world.admin)
    for path in (BIBLIOTECA, PAGE):
        guard = GuardedInput(allowed=0)
        response = post_raw(client, path, b"", guard, declared=20 * 1024 * MIB)
        assert response.status_code == 413 and guard.read_bytes == 0
    assert not Documento.objects.exists()


# --- Downloads ------------------------------------------------------------------------------------


def test_a_private_library_document_is_downloaded_only_by_the_account_and_the_desk(world):
    documento = library.documento_add(
        entidad=world.proveedor,
        user=world.admin,
        data={"tipo": "estados_financieros", "titulo": "EEFF 2025", "visibilidad": "privado"},
        uploaded=SimpleUploadedFile("eeff.pdf", pdf_bytes()),
    )
    for user in (world.plain, world.admin, world.desk):
        client = logged_in(user)
        assert client.get(f"/entidades/documentos/{documento.pk}/").status_code == 200
        assert client.get(f"{API}/entidades/documentos/{documento.pk}/archivo").status_code == 200
    for user in (world.entidad_admin, world.natural_admin, world.outsider):
        client = logged_in(user)
        assert client.get(f"/entidades/documentos/{documento.pk}/").status_code == 404
        assert client.get(f"{API}/entidades/documentos/{documento.pk}/archivo").status_code == 404
    assert Client().get(f"/entidades/documentos/{documento.pk}/").status_code == 302


# --- The API --------------------------------------------------------------------------------------


def test_the_library_through_the_api(world, settings):
    client = logged_in(world.bibliotecario)
    created = client.post(
        BIBLIOTECA,
        {"tipo": "experiencia", "titulo": "Obra Metro de Medellín", "archivo": pdf_upload("metro.pdf")},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["tipo"], body["titulo"], body["visibilidad"], body["version"], body["biblioteca"]) == (
        "experiencia",
        "Obra Metro de Medellín",
        "directorio",
        1,
        True,
    )
    duplicate = client.post(
        BIBLIOTECA, {"tipo": "experiencia", "titulo": "Obra Metro de Medellín", "archivo": pdf_upload()}
    )
    assert duplicate.status_code == 400 and duplicate.json()["detail"]["fields"]["titulo"]
    version = client.post(f"{BIBLIOTECA}/{body['id']}/versiones", {"archivo": pdf_upload("metro-v2.pdf")})
    assert version.status_code == 201 and version.json()["version"] == 2
    new_id = version.json()["id"]
    # The earlier version is no longer the current one: it cannot be versioned or retired again.
    assert client.post(f"{BIBLIOTECA}/{body['id']}/retirar").status_code == 404
    patched = client.patch(f"{BIBLIOTECA}/{new_id}", {"visibilidad": "privado"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["visibilidad"] == "privado"
    wrong = client.patch(f"{BIBLIOTECA}/{new_id}", {"visibilidad": "todos"}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["detail"]["fields"]["visibilidad"]
    listed = client.get(BIBLIOTECA).json()
    assert [(d["titulo"], d["version"], d["vigente"]) for d in listed] == [("Obra Metro de Medellín", 2, True)]
    everything = client.get(f"{BIBLIOTECA}?historial=true").json()
    assert [(d["version"], d["vigente"]) for d in everything] == [(2, True), (1, False)]
    retired = client.post(f"{BIBLIOTECA}/{new_id}/retirar")
    assert retired.status_code == 200 and retired.json()["vigente"] is False
    assert client.get(BIBLIOTECA).json() == []
    assert len(stored_files(settings)) == 2


def test_library_operations_need_the_permission_and_a_supplier_side(world):
    documento = library.documento_add(
        entidad=world.proveedor,
        user=world.admin,
        data={"tipo": "otro", "titulo": "Brochure", "visibilidad": "directorio"},
        uploaded=pdf_upload(),
    )
    plain = logged_in(world.plain)
    assert plain.get(BIBLIOTECA).status_code == 200
    assert plain.post(BIBLIOTECA, {"tipo": "otro", "titulo": "X", "archivo": pdf_upload()}).status_code == 403
    assert plain.post(f"{BIBLIOTECA}/{documento.pk}/versiones", {"archivo": pdf_upload()}).status_code == 403
    assert plain.post(f"{BIBLIOTECA}/{documento.pk}/retirar").status_code == 403
    assert (
        plain.patch(f"{BIBLIOTECA}/{documento.pk}", {"visibilidad": "privado"}, content_type="application/json")
    ).status_code == 403
    entity = logged_in(world.entidad_admin)
    assert entity.get(BIBLIOTECA).status_code == 404
    assert entity.post(BIBLIOTECA, {"tipo": "otro", "titulo": "X", "archivo": pdf_upload()}).status_code == 404
    # Another account's document is not found, even with the permission.
    other = logged_in(world.natural_admin)
    assert other.post(f"{BIBLIOTECA}/{documento.pk}/retirar").status_code == 404
    assert Client().get(BIBLIOTECA).status_code == 401
    assert Documento.objects.get(pk=documento.pk).vigente is True
