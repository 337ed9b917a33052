"""The public account page, the download page and the data dictionary: no login, the fields the
viewer's level allows, validators for caches and 304 on a repeat."""

import pytest
from django.test import Client

from registro.entities.account.models import EventoEntidad, PerfilComercial
from registro.entities.account.workflow import event_record
from registro.publico.visibility import CAMPOS, Nivel, nivel_del_visor
from tests.factories import DeskUserFactory, EntidadFactory, MembresiaFactory, UserFactory

pytestmark = pytest.mark.django_db


def page(entidad, client=None, **headers):
    return (client or Client()).get(f"/publico/cuentas/{entidad.pk}/", headers=headers)


def test_the_public_page_of_an_entity(mundo):
    response = page(mundo.alcaldia)
    assert response.status_code == 200
    html = response.content.decode()
    a = mundo.alcaldia
    for text in (
        a.nombre,
        f"{a.nit}-{a.dv}",
        "Entidad Estatal",
        "MEDELLÍN",
        a.orden.valor,
        a.rama.valor,
        a.sector.valor,
    ):
        assert text in html
    assert "Es Entidad" in html and "Activa desde" in html
    assert "43000000" in html and "Categoría principal" in html
    assert "Se registró en la plataforma" in html and "La Mesa de Servicio activó la cuenta" in html


def test_the_public_page_of_a_supplier(mundo):
    html = page(mundo.empresa).content.decode()
    assert "SOLUCIONES TECNOLOGICAS ANDINAS S.A.S." in html
    assert "Sí, es MiPyme" in html and "Pequeña empresa" in html
    assert "43210000" in html and "81110000" in html
    assert "Carlos Andrés Rojas" in html
    for private in ("80123456", "carlos.rojas.personal@gmail.com", "3157778899", "123456789"):
        assert private not in html


def test_a_suspended_account_is_public_and_says_so_without_the_reason(mundo):
    html = page(mundo.suspendida).content.decode()
    assert "Suspendida" in html and "La Mesa de Servicio suspendió la cuenta" in html
    assert "Motivo reservado de la Mesa 7781" not in html
    assert "10101010" not in html


@pytest.mark.parametrize("which", ["pendiente", "rechazada", "correccion"])
def test_drafts_pending_and_rejected_accounts_have_no_public_page(mundo, which):
    assert page(getattr(mundo, which)).status_code == 404
    assert Client().get(f"/api/v1/publico/cuentas/{getattr(mundo, which).pk}").status_code == 404


def test_etag_and_if_none_match_give_a_304(mundo):
    first = page(mundo.empresa)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified
    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
    again = page(mundo.empresa, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert page(mundo.empresa, **{"If-Modified-Since": modified}).status_code == 304


def test_the_etag_changes_when_public_data_or_history_changes(mundo):
    before = page(mundo.empresa)["ETag"]
    perfil = PerfilComercial.objects.get(entidad=mundo.empresa)
    perfil.sitio_web = "https://nuevo.andinas.com.co"
    perfil.save()
    after_profile = page(mundo.empresa)
    assert after_profile["ETag"] != before
    assert page(mundo.empresa, **{"If-None-Match": before}).status_code == 200
    event_record(entidad=mundo.empresa, tipo=EventoEntidad.Tipo.SUSPENDIDA)
    assert page(mundo.empresa)["ETag"] != after_profile["ETag"]


def test_a_logged_in_viewer_gets_a_private_cache_and_own_etag(mundo):
    client = Client()
    client.force_login(UserFactory())
    response = page(mundo.empresa, client)
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert response["ETag"] != page(mundo.empresa)["ETag"]
    assert "Cookie" in response["Vary"]


def test_levels_of_the_viewer(mundo):
    assert nivel_del_visor(None) == Nivel.PUBLICO
    assert nivel_del_visor(UserFactory(), mundo.empresa.pk) == Nivel.PUBLICO
    buyer = MembresiaFactory(entidad=mundo.alcaldia).usuario
    assert nivel_del_visor(buyer, mundo.empresa.pk) == Nivel.CUENTAS_ACTIVAS
    pending_member = MembresiaFactory(entidad=EntidadFactory(estado="pendiente")).usuario
    assert nivel_del_visor(pending_member, mundo.empresa.pk) == Nivel.PUBLICO
    own = MembresiaFactory(entidad=mundo.empresa, rol="comprador").usuario
    assert nivel_del_visor(own, mundo.empresa.pk) == Nivel.CUENTA_Y_MESA
    assert nivel_del_visor(DeskUserFactory(), mundo.empresa.pk) == Nivel.CUENTA_Y_MESA


def test_users_of_active_accounts_see_contacts_the_account_and_desk_see_everything(mundo):
    buyer = Client()
    buyer.force_login(MembresiaFactory(entidad=mundo.alcaldia).usuario)
    html = page(mundo.empresa, buyer).content.decode()
    assert "carlos.rojas.personal@gmail.com" in html and "3157778899" in html and "123456789" in html
    assert "80123456" not in html
    persona = page(mundo.persona, buyer).content.decode()
    assert "3105550101" in persona and "juana.osorio.casa@hotmail.com" in persona
    assert "52987654" not in persona and "Barrio Secreto" not in persona
    desk = Client()
    desk.force_login(DeskUserFactory())
    assert "80123456" in page(mundo.empresa, desk).content.decode()
    persona = page(mundo.persona, desk).content.decode()
    assert "52987654" in persona and "Barrio Secreto" in persona
    assert "Motivo reservado de la Mesa 7781" in page(mundo.suspendida, desk).content.decode()


def test_the_download_page_offers_each_file_and_keeps_the_filters(mundo):
    response = Client().get("/datos/", {"departamento": "05", "unspsc": "43"})
    html = response.content.decode()
    assert response.status_code == 200
    for path in (
        "/datos/proveedores.csv",
        "/datos/proveedores.json",
        "/datos/entidades.csv",
        "/datos/ocds/parties.json",
    ):
        assert f'href="{path}?departamento=05&amp;unspsc=43"' in html
    assert "Todavía no hay instantánea." in html


def test_the_download_page_explains_a_bad_filter(mundo):
    html = Client().get("/datos/", {"unspsc": "4", "modificado_desde": "ayer"}).content.decode()
    assert 'href="#id_unspsc"' in html and 'href="#id_modificado_desde"' in html
    assert 'href="/datos/proveedores.csv"' in html  # the links fall back to the full files


def test_the_data_dictionary_documents_each_column_and_why_it_may_be_empty(mundo):
    html = Client().get("/datos/diccionario/").content.decode()
    for name in ("n_mero_doc_representante_legal", "ubicacion", "fax", "modificado_desde", "fecha_activacion"):
        assert f"<code>{name}</code>" in html
    assert str(CAMPOS["n_mero_doc_representante_legal"].motivo) in html
    assert "Ley 1581 de 2012" in html
