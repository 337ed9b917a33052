"""The UNSPSC classifier as shipped reference data: loading, search by code and Spanish name,
browsing, the parsing of typed codes, and the API."""

import csv

import pytest
from django.test import Client

from registro.core import unspsc
from registro.core.models import CodigoUNSPSC
from registro.core.services import DATA_DIR, unspsc_load

pytestmark = pytest.mark.django_db


def test_the_whole_classifier_is_loaded_with_its_levels():
    with open(DATA_DIR / "unspsc-es.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert CodigoUNSPSC.objects.count() == len(rows) == 53316
    counts = {n: CodigoUNSPSC.objects.filter(nivel=n).count() for n in CodigoUNSPSC.DIGITS}
    assert counts == {"segmento": 56, "familia": 420, "clase": 3818, "producto": 49022}
    family = CodigoUNSPSC.objects.get(pk="43210000")
    assert (family.nivel, family.prefijo, family.padre_id) == ("familia", "4321", "43000000")


def test_loading_again_changes_nothing_and_a_forced_load_restores_a_name():
    CodigoUNSPSC.objects.filter(pk="43000000").update(nombre="Cambiado")
    assert unspsc_load() == 53316  # complete: skipped
    assert CodigoUNSPSC.objects.get(pk="43000000").nombre == "Cambiado"
    unspsc_load(force=True)
    assert CodigoUNSPSC.objects.get(pk="43000000").nombre != "Cambiado"
    assert CodigoUNSPSC.objects.count() == 53316


def test_search_by_digits_finds_the_code_and_what_is_under_it():
    found = unspsc.unspsc_search(query="4321")
    assert found[0].codigo == "43210000"
    assert all(c.codigo.startswith("4321") for c in found)
    assert unspsc.unspsc_search(query="123456789") == []


def test_search_by_name_ignores_case_and_accents_and_puts_higher_levels_first():
    found = unspsc.unspsc_search(query="computadores")
    assert found, "some code is about computers"
    assert all("COMPUTADORES" in c.nombre_busqueda for c in found)
    ranks = [list(CodigoUNSPSC.DIGITS).index(c.nivel) for c in found]
    assert ranks == sorted(ranks)
    assert [c.codigo for c in unspsc.unspsc_search(query="ÉLECTRICOS")] == [
        c.codigo for c in unspsc.unspsc_search(query="electricos")
    ]


def test_browsing_goes_from_segments_down_to_products():
    segments = unspsc.unspsc_children()
    assert len(segments) == 56 and all(c.nivel == "segmento" for c in segments)
    families = unspsc.unspsc_children(codigo="43000000")
    assert families and all(c.padre_id == "43000000" and c.nivel == "familia" for c in families)
    product = CodigoUNSPSC.objects.filter(nivel="producto").first()
    assert [c.nivel for c in unspsc.unspsc_path(product.codigo)] == ["segmento", "familia", "clase", "producto"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("43", "43000000"),
        ("4321", "43210000"),
        ("43.21.15", "43211500"),
        ("43211503", "43211503"),
        ("432", None),
        ("x", None),
    ],
)
def test_codes_are_normalised_to_eight_digits(raw, expected):
    assert unspsc.normalize_code(raw) == expected


def test_a_selection_keeps_known_codes_once_and_reports_the_unknown():
    selection = unspsc.parse_selection(["43211500, 4321", "43211500", "99999999", "abc"], principal="4321")
    assert selection.codigos == ["43211500", "43210000"]
    assert selection.principal == "43210000"
    assert selection.desconocidos == ["abc", "99999999"]
    assert unspsc.parse_selection(["43211500"], principal="10000000").principal == ""


def test_api_search_and_detail():
    client = Client()
    body = client.get("/api/v1/unspsc", {"q": "4321"}).json()
    assert body[0] == {"codigo": "43210000", "nivel": "familia", "nombre": body[0]["nombre"], "padre": "43000000"}
    assert len(client.get("/api/v1/unspsc").json()) == 56
    detail = client.get("/api/v1/unspsc/4321").json()
    assert [c["codigo"] for c in detail["ruta"]] == ["43000000", "43210000"]
    assert detail["hijos"] and all(c["padre"] == "43210000" for c in detail["hijos"])
    missing = client.get("/api/v1/unspsc/99999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
