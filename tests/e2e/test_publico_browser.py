"""The public view in a browser: the search, an account's page, the download page and the data
dictionary, each with axe-core reporting no WCAG 2.1 AA violation and no CSP violation."""

import pytest
from playwright.sync_api import expect

from registro.core.services import unspsc_load
from tests.e2e.conftest import assert_accessible
from tests.publico.conftest import mundo  # noqa: F401 - the fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(django_db_blocker):
    unspsc_load()  # transactional tests empty the classifier


def test_the_public_page_of_a_supplier(world, mundo, page, live_server):  # noqa: F811
    page.goto(f"{live_server.url}/publico/cuentas/{mundo.empresa.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(mundo.empresa.nombre)
    expect(page.get_by_text("Categoría principal:")).to_be_visible()
    expect(page.get_by_role("heading", name="Historial")).to_be_visible()
    assert "80123456" not in page.content()
    assert_accessible(page)


def test_the_public_page_of_a_suspended_entity(world, mundo, page, live_server):  # noqa: F811
    page.goto(f"{live_server.url}/publico/cuentas/{mundo.suspendida.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Suspendida")
    assert_accessible(page)


def test_the_download_page_with_a_wrong_filter_and_the_dictionary(world, mundo, page, live_server):  # noqa: F811
    page.goto(f"{live_server.url}/datos/")
    assert_accessible(page)
    page.get_by_label("Código UNSPSC (prefijo)").fill("4")
    page.get_by_role("button", name="Aplicar filtros").click()
    expect(page.get_by_role("alert")).to_contain_text("«unspsc»")
    assert_accessible(page)
    page.get_by_label("Código UNSPSC (prefijo)").fill("43")
    page.get_by_label("Departamento").select_option("11")
    page.get_by_role("button", name="Aplicar filtros").click()
    link = page.get_by_role("link", name="Descargar proveedores.csv")
    expect(link).to_have_attribute("href", "/datos/proveedores.csv?departamento=11&unspsc=43")
    page.get_by_role(
        "link", name="Diccionario de datos: cada columna, su tipo, su origen y por qué algunas quedan vacías"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Diccionario de datos abiertos")
    assert_accessible(page)


def test_the_public_search_from_the_header_to_an_account(world, mundo, page, live_server):  # noqa: F811
    page.goto(f"{live_server.url}/datos/")
    page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Buscar cuentas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Buscar Entidades Estatales y Proveedores")
    assert_accessible(page)
    # A wrong code and a municipality of another department: the errors, linked to their fields.
    page.get_by_label("Código UNSPSC").fill("4")
    page.get_by_label("Departamento").select_option("05")
    page.get_by_role("button", name="Buscar").first.click()
    expect(page.get_by_text("Escriba un código UNSPSC de 2, 4, 6 u 8 dígitos").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Código UNSPSC").fill("85")
    page.get_by_role("button", name="Buscar").first.click()
    page.get_by_label("Municipio").select_option("05360")
    page.get_by_role("button", name="Buscar").first.click()
    expect(page.get_by_role("status")).to_have_text("1 cuenta encontrada.")
    assert_accessible(page)
    page.get_by_role("link", name=mundo.hospital.nombre).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(mundo.hospital.nombre)
    # The suspended account is not found; the natural person shows no NIT.
    page.goto(f"{live_server.url}/publico/?q=construcciones+suspendidas")
    expect(page.get_by_role("status")).to_have_text("0 cuentas encontradas.")
    page.goto(f"{live_server.url}/publico/?q=juana")
    expect(page.get_by_role("cell", name="Persona natural")).to_be_visible()
    assert mundo.persona.nit not in page.content()
    assert_accessible(page)
