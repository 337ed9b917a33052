"""The desk reviews PDFs as page images rendered on the server, never as the PDF in the page: the
first page at readable size, the others on a page of their own, and the download link."""

import re
import struct
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from registro.core.files import isolation
from registro.entities.registration import services as entity_services
from registro.servicedesk import services
from tests.entities.conftest import pdf_bytes, text_pdf
from tests.servicedesk.conftest import case_data, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def caso(admin_user, desk_user, entidad):
    caso = services.caso_create(user=admin_user, data=case_data(admin_user, entidad), entidad=entidad)
    services.caso_take(caso=caso, staff=desk_user)
    return caso


@pytest.fixture
def desk(desk_user):
    return logged_in(desk_user)


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", data[16:24])


def replace_rut(entidad, admin_user, content: bytes, name="rut.pdf"):
    with entity_services.documento_stored(tipo="rut", uploaded=SimpleUploadedFile(name, content), user=admin_user) as d:
        d.entidad = entidad
        return entity_services.documento_make_current(documento=d, siblings=entidad.documentos)


def test_review_page_shows_the_first_page_of_each_pdf_as_an_image_and_no_pdf_viewer(desk, caso, entidad):
    page = desk.get(f"/casos/{caso.numero}/").content.decode()
    assert "<iframe" not in page
    assert "?ver=1" not in page
    documentos = list(entidad.documentos.filter(vigente=True))
    assert len(documentos) == 4
    for documento in documentos:
        assert f'src="/entidades/documentos/{documento.pk}/paginas/1.png"' in page
        assert f'alt="Primera página de «{documento.nombre_original}»"' in page
        assert f'href="/entidades/documentos/{documento.pk}/paginas/"' in page
        assert f'href="/entidades/documentos/{documento.pk}/"' in page  # the download
    assert page.count("Ver más páginas") == 4


def test_a_page_image_is_a_readable_png_rendered_once(desk, entidad, admin_user, settings):
    replace_rut(entidad, admin_user, text_pdf("REGISTRO ÚNICO TRIBUTARIO", "NIT 800.123.456-7"))
    rut = entidad.documentos.get(tipo="rut", vigente=True)

    response = desk.get(f"/entidades/documentos/{rut.pk}/paginas/1.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    image = b"".join(response.streaming_content)
    width, height = png_size(image)
    assert width == settings.PREVIEW_WIDTH == 1000
    assert abs(height - 1000 * 792 / 612) <= 1

    with mock.patch.object(isolation, "run", side_effect=AssertionError("rendered again")):
        again = desk.get(f"/entidades/documentos/{rut.pk}/paginas/1.png")
    assert b"".join(again.streaming_content) == image


def test_every_page_is_listed_lazily_and_a_page_past_the_end_is_not_found(desk, entidad, admin_user):
    replace_rut(entidad, admin_user, pdf_bytes(pages=3), name="rut escaneado.pdf")
    rut = entidad.documentos.get(tipo="rut", vigente=True)

    page = desk.get(f"/entidades/documentos/{rut.pk}/paginas/").content.decode()
    images = re.findall(r'<img class="page-image" src="([^"]+)" alt="([^"]+)" loading="lazy">', page)
    assert [src for src, _alt in images] == [f"/entidades/documentos/{rut.pk}/paginas/{n}.png" for n in (1, 2, 3)]
    assert images[1][1] == "Página 2 de 3 de «rut escaneado.pdf»"
    assert "El documento tiene 3 páginas." in page
    assert f'href="/entidades/documentos/{rut.pk}/"' in page

    assert desk.get(f"/entidades/documentos/{rut.pk}/paginas/3.png").status_code == 200
    assert desk.get(f"/entidades/documentos/{rut.pk}/paginas/4.png").status_code == 404
    assert desk.get(f"/entidades/documentos/{rut.pk}/paginas/0.png").status_code == 404


def test_a_document_that_is_not_a_pdf_is_only_downloaded(desk, entidad, admin_user):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    replace_rut(entidad, admin_user, png, name="rut.png")
    rut = entidad.documentos.get(tipo="rut", vigente=True)
    assert "no es un PDF" in desk.get(f"/entidades/documentos/{rut.pk}/paginas/").content.decode()
    assert desk.get(f"/entidades/documentos/{rut.pk}/paginas/1.png").status_code == 404


def test_downloads_are_always_attachments_even_with_the_old_inline_parameter(desk, entidad):
    documento = entidad.documentos.filter(vigente=True).first()
    response = desk.get(f"/entidades/documentos/{documento.pk}/?ver=1")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"


def test_page_images_are_for_those_who_may_download_the_document(entidad):
    from tests.factories import UserFactory

    documento = entidad.documentos.filter(vigente=True).first()
    stranger = logged_in(UserFactory())
    assert stranger.get(f"/entidades/documentos/{documento.pk}/paginas/1.png").status_code == 404
    assert stranger.get(f"/entidades/documentos/{documento.pk}/paginas/").status_code == 404
