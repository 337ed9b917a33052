"""The Directorio in a real browser: an entity's buyer searches by words typed as they come, with
a filter, opens a supplier's commercial profile and downloads one of its documents; both pages pass
axe-core (WCAG 2.1 AA)."""

import pytest
from playwright.sync_api import expect

from registro.core.services import reference_data_load, unspsc_load
from registro.entities.directory.models import DescargaDocumento
from tests.e2e.conftest import assert_accessible, field, log_in
from tests.entities.directory_data import cuenta, documento
from tests.factories import MembresiaFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_search_open_a_profile_and_download_a_document(live_server, page):
    reference_data_load()
    unspsc_load()
    entidad = cuenta("ALCALDIA DE ENVIGADO", tipo="entidad_estatal", municipio="05266")
    buyer = MembresiaFactory(entidad=entidad, rol="comprador").usuario
    supplier = cuenta(
        "COMPUTADORES DEL SUR SAS",
        municipio="05001",
        areas=("43211503", "72101507"),
        tamano="pequena",
        mipyme=True,
        tipo_empresa="sas",
        correo_notificaciones="ventas@computadoresdelsur.com.co",
    )
    cuenta("COMPUTADORES DEL NORTE SAS", municipio="11001", areas=("43211507",))
    cuenta("CONSTRUCCIONES DEL SUR SAS", municipio="05001", areas=("72101507",))
    cuenta("COMPUTADORES SUSPENDIDOS SAS", estado="suspendida", municipio="05001", areas=("43211503",))
    rut = documento(supplier, "rut")

    log_in(page, live_server, buyer)
    page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Directorio").click()
    expect(page.get_by_role("heading", name="Directorio", level=1)).to_be_visible()
    assert_accessible(page)

    # Words without accents or capitals, the last one half typed, and a segment filter.
    field(page, "Nombre o NIT").fill("computadores su")
    field(page, "Código UNSPSC o su nombre").fill("43")
    page.get_by_role("button", name="Buscar").first.click()
    results = page.get_by_role("table", name="Cuentas encontradas en el Directorio")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and one account
    expect(results).to_contain_text("COMPUTADORES DEL SUR SAS")
    expect(results).to_contain_text("MEDELLÍN, ANTIOQUIA")
    expect(results).to_contain_text("43211503 Computadores notebook")
    expect(results).to_contain_text("MiPyme")
    expect(page.get_by_text("1 cuenta encontrada.")).to_be_visible()
    assert_accessible(page)

    # A category by the words of its name: five codes hold "notebook", each offered as a link.
    field(page, "Nombre o NIT").fill("")
    field(page, "Código UNSPSC o su nombre").fill("notebook")
    page.get_by_role("button", name="Buscar").first.click()
    expect(page.get_by_text("5 códigos UNSPSC tienen «notebook» en su nombre").first).to_be_visible()
    choices = page.get_by_role("list", name="Códigos UNSPSC para elegir")
    expect(choices.get_by_role("link")).to_have_count(5)
    assert_accessible(page)
    choices.get_by_role("link", name="Producto 43211503: Computadores notebook").click()
    expect(results.get_by_role("row")).to_have_count(2)
    expect(results).to_contain_text("COMPUTADORES DEL SUR SAS")

    # A department's municipalities are offered once the department is chosen.
    field(page, "Nombre o NIT").fill("")
    field(page, "Código UNSPSC o su nombre").fill("")
    field(page, "Departamento").select_option(label="ANTIOQUIA")
    page.get_by_role("button", name="Buscar").first.click()
    field(page, "Municipio").select_option(label="MEDELLÍN")
    page.get_by_role("button", name="Buscar").first.click()
    expect(results.get_by_role("row")).to_have_count(3)
    expect(results).not_to_contain_text("SUSPENDIDOS")

    results.get_by_role("link", name="COMPUTADORES DEL SUR SAS").click()
    expect(page.get_by_role("heading", name="COMPUTADORES DEL SUR SAS", level=1)).to_be_visible()
    expect(page.get_by_text("ventas@computadoresdelsur.com.co")).to_be_visible()
    expect(page.get_by_role("cell", name="Computadores notebook")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name=rut.nombre_original).click()
    assert download.value.suggested_filename == rut.nombre_original
    assert DescargaDocumento.objects.filter(documento=rut, usuario=buyer, cuenta_actuante=entidad).count() == 1


def test_an_entity_administrator_invites_a_supplier_from_its_profile(live_server, page):
    """From a search to the profile, the open request chosen, then the request's page showing the
    invitation run; and the results page's own invitation form. Every page passes axe-core."""
    from datetime import timedelta

    from django.utils import timezone

    from registro.entities.information_requests import services
    from registro.entities.information_requests.models import EnvioInvitaciones

    reference_data_load()
    unspsc_load()
    entidad = cuenta("ALCALDIA DE ENVIGADO", tipo="entidad_estatal", municipio="05266")
    admin = MembresiaFactory(entidad=entidad).usuario
    supplier = cuenta("COMPUTADORES DEL SUR SAS", municipio="05001", areas=("43211503",))
    cuenta("COMPUTADORES DEL NORTE SAS", municipio="11001", areas=("43211507",))
    solicitud = services.solicitud_create(
        entidad=entidad,
        actor=admin,
        titulo="Cotización de portátiles",
        descripcion="40 portátiles para las sedes rurales.",
        codigos=["43211503"],
        plazo=timezone.now() + timedelta(days=5),
        archivos=[],
    )

    log_in(page, live_server, admin)
    page.goto(f"{live_server.url}/directorio/?q=computadores")
    form = page.get_by_role("region", name="Invitar a una solicitud de información")
    expect(form.get_by_label("Solicitud de información abierta")).to_contain_text("Cotización de portátiles")
    expect(page.get_by_role("checkbox", name="Invitar a COMPUTADORES DEL SUR SAS")).to_be_visible()
    assert_accessible(page)

    results = page.get_by_role("table", name="Cuentas encontradas en el Directorio")
    results.get_by_role("link", name="COMPUTADORES DEL SUR SAS").click()
    expect(page.get_by_role("heading", name="Invitar a una solicitud de información")).to_be_visible()
    field(page, "Solicitud de información abierta").select_option(value=str(solicitud.pk))
    assert_accessible(page)
    page.get_by_role("button", name="Invitar a COMPUTADORES DEL SUR SAS").click()

    expect(page.get_by_role("heading", name="Cotización de portátiles", level=1)).to_be_visible()
    expect(page.get_by_text("Invitación en curso para 1 cuenta; el avance se ve en esta página.")).to_be_visible()
    assert_accessible(page)
    # The run is a background task (the database backend's worker): run it, and see it done.
    envio = EnvioInvitaciones.objects.get(solicitud=solicitud)
    assert envio.cuentas == [supplier.pk]
    services.envio_run(envio_id=envio.pk)
    page.reload()
    expect(page.get_by_text("1 de 1")).to_be_visible()
    assert list(solicitud.invitaciones.values_list("proveedor_id", flat=True)) == [supplier.pk]
