"""The areas of interest after registration (R9.4) through the HTTP layer: the shared picker
without JavaScript (search, browse, add, keep what was chosen), codes stored at the level chosen
with exactly one main category, replaced in one transaction, unknown codes refused with nothing
changed, and the history's added and removed codes."""

import pytest

from registro.entities.account.models import AreaInteres, EventoEntidad
from registro.entities.supplier import areas as supplier_areas
from tests.entities.supplier_world import logged_in

AREAS = "/entidad/areas/"


def rows(entidad) -> list[tuple[str, str, bool]]:
    return list(
        AreaInteres.objects.filter(entidad=entidad)
        .order_by("codigo_id")
        .values_list("codigo_id", "prefijo", "principal")
    )


def test_the_page_shows_the_current_codes_with_the_main_one_checked(world):
    response = logged_in(world.editor).get(AREAS)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="principal-43000000" checked' in html
    assert 'name="areas" value="43211500" id="area-43211500" checked' in html
    assert "Computadores" in html and 'aria-current="page">Áreas de interés' in html


def test_a_member_without_the_permission_gets_403_and_nothing_changes(world):
    before = rows(world.proveedor)
    client = logged_in(world.plain)
    assert client.get(AREAS).status_code == 403
    response = client.post(AREAS, {"accion": "guardar", "areas": ["72"], "categoria_principal": "72"})
    assert response.status_code == 403
    assert rows(world.proveedor) == before
    assert logged_in(world.bibliotecario).get(AREAS).status_code == 403


def test_searching_and_browsing_keep_what_was_chosen_and_saving_replaces_the_set(world):
    client = logged_in(world.admin)
    chosen = {"areas": ["43000000", "43211500"], "categoria_principal": "43000000"}
    # Search by Spanish name, regardless of accents: the results come back with the choices kept.
    found = client.post(AREAS, {**chosen, "accion": "buscar_unspsc", "unspsc_q": "suministros de escritorio"})
    assert found.status_code == 200
    html = found.content.decode()
    assert 'id="buscar-44121600"' in html and "Suministros de escritorio" in html
    assert 'id="principal-43000000" checked' in html and 'value="suministros de escritorio"' in html
    # Add what was ticked in the results.
    added = client.post(AREAS, {**chosen, "areas": [*chosen["areas"], "44121600"], "accion": "agregar_unspsc"})
    assert 'id="area-44121600" checked' in added.content.decode()
    # Browse segment → family: the level below, with the breadcrumbs.
    browsed = client.post(AREAS, {**chosen, "areas": [*chosen["areas"], "44121600"], "unspsc_padre": "72000000"})
    html = browsed.content.decode()
    assert 'id="explorar-72100000"' in html and 'aria-current="location">72000000' in html
    assert 'id="area-44121600" checked' in html
    assert rows(world.proveedor) == [("43000000", "43", True), ("43211500", "432115", False)]
    # Save: the new set, at the levels chosen, with the new main category; one transaction.
    response = client.post(
        AREAS,
        {"areas": ["43211500", "44121600", "72100000"], "categoria_principal": "44121600", "accion": "guardar"},
        follow=True,
    )
    assert "Guardamos las áreas de interés." in response.content.decode()
    assert rows(world.proveedor) == [
        ("43211500", "432115", False),
        ("44121600", "441216", True),
        ("72100000", "7210", False),
    ]
    evento = EventoEntidad.objects.get(entidad=world.proveedor, tipo=EventoEntidad.Tipo.AREAS_EDITADAS)
    assert evento.actor == world.admin
    assert evento.detalle["agregados"] == ["44121600", "72100000"]
    assert evento.detalle["retirados"] == ["43000000"]
    assert evento.detalle["cambios"]["categoria_principal"]["despues"].startswith("44121600")
    historial = client.get("/entidad/historial/").content.decode()
    assert "Áreas de interés modificadas" in historial and "agregados: 44121600, 72100000" in historial
    assert "retirados: 43000000" in historial


def test_codes_typed_at_any_level_are_stored_at_that_level(world):
    client = logged_in(world.admin)
    response = client.post(
        AREAS, {"areas": ["43, 4321 432115", "43211503"], "categoria_principal": "4321", "accion": "guardar"}
    )
    assert response.status_code == 302
    assert rows(world.proveedor) == [
        ("43000000", "43", False),
        ("43210000", "4321", True),
        ("43211500", "432115", False),
        ("43211503", "43211503", False),
    ]
    # Searching by a segment finds every account with codes under it: a prefix match on this table.
    assert AreaInteres.objects.filter(prefijo__startswith="43").values("entidad").distinct().count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"areas": ["43000000", "99999999"], "categoria_principal": "43000000"}, "No existe en el Clasificador"),
        ({"areas": ["43000000", "12x"], "categoria_principal": "43000000"}, "12x"),
        ({"areas": [], "categoria_principal": ""}, "Elija al menos un código"),
        ({"areas": ["43000000", "72000000"], "categoria_principal": ""}, "Marque cuál de los códigos elegidos"),
        ({"areas": ["43000000", "72000000"], "categoria_principal": "44000000"}, "Marque cuál de los códigos elegidos"),
    ],
)
def test_a_wrong_selection_is_refused_with_its_message_and_nothing_changes(world, data, message):
    before = rows(world.proveedor)
    response = logged_in(world.admin).post(AREAS, {**data, "accion": "guardar"})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'id="resumen-errores"' in html and 'href="#areas-interes"' in html
    assert rows(world.proveedor) == before
    assert not EventoEntidad.objects.filter(tipo=EventoEntidad.Tipo.AREAS_EDITADAS).exists()


def test_unknown_typed_codes_stay_in_the_box_to_be_corrected(world):
    response = logged_in(world.admin).post(
        AREAS, {"areas": ["43000000", "4321 99999999"], "categoria_principal": "43000000", "accion": "agregar_unspsc"}
    )
    html = response.content.decode()
    assert 'id="area-43210000" checked' in html  # the valid one is added
    assert (
        'value="99999999"' in html and "No existe en el Clasificador de Bienes y Servicios el código 99999999" in html
    )


def test_a_single_code_is_the_main_category(world):
    response = logged_in(world.admin).post(AREAS, {"areas": ["72"], "accion": "guardar"})
    assert response.status_code == 302
    assert rows(world.proveedor) == [("72000000", "72", True)]


def test_saving_the_same_set_records_nothing(world):
    supplier_areas.areas_replace(
        entidad=world.proveedor, user=world.admin, codigos=["43211500", "43000000"], principal="43000000"
    )
    assert not EventoEntidad.objects.filter(tipo=EventoEntidad.Tipo.AREAS_EDITADAS).exists()


def test_an_entity_that_also_supplies_has_the_same_areas(world):
    client = logged_in(world.entidad_proveedora_admin)
    assert client.post(AREAS, {"areas": ["82"], "accion": "guardar"}).status_code == 302
    assert rows(world.entidad_proveedora) == [("82000000", "82", True)]
    assert "82000000" in client.get("/entidad/perfil/").content.decode()
