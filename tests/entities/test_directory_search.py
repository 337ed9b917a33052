"""The Directorio's search semantics (issue 11): words and prefixes without case or accents, the
NIT with or without its check digit, every filter alone and combined, relevance, keyset pages
without duplicates or gaps, the count, and only active accounts, ever."""

import pytest

from registro.core.errors import ApplicationError
from registro.entities.directory import forms as directory_forms
from registro.entities.directory import search
from registro.entities.directory.forms import DirectorioForm
from registro.entities.directory.search import Cursor, Filtros
from registro.entities.registration.rules import nit_check_digit
from tests.entities.directory_data import cuenta

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference(reference_data):
    pass


@pytest.fixture(autouse=True, params=["walk", "gather"])
def strategy(request, monkeypatch):
    """Every semantics holds whichever way a page is found: walking the index in order, or
    gathering the (few) matches through the words' and areas' indexes (a walk budget of one
    entry sends every first page there)."""
    if request.param == "gather":
        monkeypatch.setattr(search, "WALK_BUDGET", 1)
        monkeypatch.setattr(search, "WALK_BUDGET_PROBES", 1)
    return request.param


def names(page) -> list[str]:
    return [r.nombre for r in page.resultados]


def found(**filtros) -> list[str]:
    return names(search.search(Filtros(**filtros)))


# --- Words --------------------------------------------------------------------------------------


def test_accents_and_case_are_ignored_both_ways():
    cuenta("CONSTRUCCIONES BOGOTÁ SAS")
    cuenta("ÑANDÚ INVERSIONES")
    cuenta("INGENIERIA MEDELLIN")
    assert found(texto="construcciones bogota") == ["CONSTRUCCIONES BOGOTÁ SAS"]
    assert found(texto="BOGOTÁ") == ["CONSTRUCCIONES BOGOTÁ SAS"]
    assert found(texto="ñandu") == ["ÑANDÚ INVERSIONES"]
    assert found(texto="Ingeniería Medellín") == ["INGENIERIA MEDELLIN"]


def test_punctuation_is_ignored():
    cuenta("SUMINISTROS ANDINOS S.A.S.")
    assert found(texto="suministros s.a.s") == ["SUMINISTROS ANDINOS S.A.S."]
    assert found(texto="andinos, sas") == ["SUMINISTROS ANDINOS S.A.S."]


def test_the_word_being_typed_matches_as_a_prefix_of_any_word():
    cuenta("CONSTRUCCIONES DEL CARIBE SAS")
    cuenta("INVERSIONES Y CONSTRUCTORA ANDINA")
    cuenta("OBRAS CIVILES LTDA")
    assert sorted(found(texto="constru")) == ["CONSTRUCCIONES DEL CARIBE SAS", "INVERSIONES Y CONSTRUCTORA ANDINA"]
    assert found(texto="construcciones car") == ["CONSTRUCCIONES DEL CARIBE SAS"]
    assert found(texto="caribe construcciones") == ["CONSTRUCCIONES DEL CARIBE SAS"]


def test_the_words_before_the_last_are_whole_words():
    cuenta("CONSTRUCCIONES DEL CARIBE SAS")
    assert found(texto="constru caribe") == []
    assert found(texto="construcciones caribe") == ["CONSTRUCCIONES DEL CARIBE SAS"]


def test_a_word_must_begin_a_word_of_the_name_not_sit_inside_it():
    cuenta("CONSTRUCCIONES DEL CARIBE SAS")
    assert found(texto="strucciones") == []
    assert found(texto="aribe") == []


def test_words_longer_than_the_indexed_prefixes_match_whole():
    """The words' index holds prefixes of up to `PREFIX_LENGTH` characters (migration 0016): a
    longer word is looked up by its first ones, and still matches only what it says."""
    assert len("COMERCIALIZADORA") > search.PREFIX_LENGTH
    cuenta("COMERCIALIZADORA DEL SUR SAS")
    cuenta("COMERCIALIZACION DEL NORTE SAS")
    cuenta("COMERCIAL DEL SUR")
    assert found(texto="comercializadora del") == ["COMERCIALIZADORA DEL SUR SAS"]
    assert found(texto="sur comercializadora") == ["COMERCIALIZADORA DEL SUR SAS"]
    assert found(texto="sur comercializadoras") == []
    assert sorted(found(texto="sur comerciali")) == ["COMERCIALIZADORA DEL SUR SAS"]
    assert sorted(found(texto="sur comercial")) == ["COMERCIAL DEL SUR", "COMERCIALIZADORA DEL SUR SAS"]
    assert found(texto="comercializacio") == ["COMERCIALIZACION DEL NORTE SAS"]


def test_every_word_must_match_in_any_order():
    cuenta("INVERSIONES RODRIGUEZ GOMEZ SAS")
    cuenta("INVERSIONES PEREZ SAS")
    assert found(texto="inversiones gomez") == ["INVERSIONES RODRIGUEZ GOMEZ SAS"]
    assert found(texto="gomez inversiones") == ["INVERSIONES RODRIGUEZ GOMEZ SAS"]
    assert found(texto="inversiones lopez") == []


def test_relevance_puts_names_beginning_with_the_text_first_exact_name_first():
    cuenta("ALFA OMEGA SAS")
    cuenta("OMEGA SAS")
    cuenta("OMEGA")
    cuenta("BETA OMEGAS LTDA")
    assert found(texto="omega") == ["OMEGA", "OMEGA SAS", "ALFA OMEGA SAS", "BETA OMEGAS LTDA"]
    assert found(texto="omega", orden="nombre") == ["ALFA OMEGA SAS", "BETA OMEGAS LTDA", "OMEGA", "OMEGA SAS"]


def test_name_is_the_tie_break_and_ignores_case_and_accents():
    cuenta("Ángel Suministros")
    cuenta("AGUA SUMINISTROS")
    cuenta("zeta suministros")
    cuenta("BETA SUMINISTROS")
    assert found(texto="suministros") == [
        "AGUA SUMINISTROS",
        "Ángel Suministros",
        "BETA SUMINISTROS",
        "zeta suministros",
    ]


def test_no_text_lists_every_active_account_by_name():
    cuenta("BETA SAS")
    cuenta("ALFA SAS")
    assert found() == ["ALFA SAS", "BETA SAS"]


# --- NIT ----------------------------------------------------------------------------------------


def test_nit_with_or_without_check_digit_dots_and_spaces():
    dv = nit_check_digit("900123456")
    cuenta("PROVEEDOR CON NIT", nit="900123456")
    cuenta("OTRO PROVEEDOR", nit="900123457")
    for typed in ("900123456", f"900123456-{dv}", f"900.123.456-{dv}", f"900123456{dv}", f" 900 123 456 - {dv} "):
        page = search.search(Filtros(texto=typed))
        assert page.nit and names(page) == ["PROVEEDOR CON NIT"], typed


def test_nit_with_a_wrong_check_digit_finds_nothing():
    cuenta("PROVEEDOR CON NIT", nit="900123456")
    wrong = str((int(nit_check_digit("900123456")) + 1) % 10)
    assert found(texto=f"900123456-{wrong}") == []


def test_ten_digits_are_a_nit_with_its_check_digit_or_a_ten_digit_nit():
    cuenta("NIT DE DIEZ", nit="1234567890")
    cuenta("NIT DE NUEVE", nit="123456789")
    assert found(texto="1234567890") == ["NIT DE DIEZ"] + (
        ["NIT DE NUEVE"] if nit_check_digit("123456789") == "0" else []
    )
    assert found(texto="123456789" + nit_check_digit("123456789")) == ["NIT DE NUEVE"]


def test_nit_lookup_is_exact_not_a_prefix():
    cuenta("PROVEEDOR CON NIT", nit="900123456")
    assert found(texto="9001234") == []


def test_natural_persons_are_not_found_by_their_nit_nor_shown_with_it():
    persona = cuenta("MARIA PEREZ GOMEZ", nit="52123456", persona="natural")
    assert found(texto="52123456") == []
    (row,) = search.search(Filtros(texto="maria perez")).resultados
    assert row.pk == persona.pk and row.nit == ""


def test_nit_lookup_applies_the_filters_too():
    cuenta("PROVEEDOR CON NIT", nit="900123456", departamento="05")
    assert found(texto="900123456", departamento="11") == []
    assert found(texto="900123456", departamento="05") == ["PROVEEDOR CON NIT"]


def test_short_digit_strings_are_words_of_names():
    cuenta("SUMINISTROS 2024 SAS")
    assert found(texto="2024") == ["SUMINISTROS 2024 SAS"]


# --- Only active accounts ----------------------------------------------------------------------


@pytest.mark.parametrize("estado", ["suspendida", "pendiente", "requiere_correccion", "rechazada"])
def test_accounts_not_active_never_appear(estado):
    cuenta("PROVEEDOR ACTIVO", areas=("43211503",), departamento="11")
    oculto = cuenta(
        f"PROVEEDOR {estado.upper()}", estado=estado, nit="900555555", areas=("43211503",), departamento="11"
    )
    assert found() == ["PROVEEDOR ACTIVO"]
    assert found(texto="proveedor") == ["PROVEEDOR ACTIVO"]
    assert found(texto=oculto.nombre.lower()) == []
    assert found(texto="900555555") == []
    assert found(unspsc="43", departamento="11") == ["PROVEEDOR ACTIVO"]
    assert search.search(Filtros()).total == 1


# --- Filters ------------------------------------------------------------------------------------


@pytest.fixture
def kinds():
    cuenta("ALCALDIA DE PRUEBA", tipo="entidad_estatal")
    cuenta("HOSPITAL QUE SUMINISTRA", tipo="entidad_estatal", es_proveedor=True)
    cuenta("PROVEEDOR PRIVADO SAS")


def test_kind_filter_each_and_combined(kinds):
    assert found(tipos=("entidad_estatal",)) == ["ALCALDIA DE PRUEBA"]
    assert found(tipos=("proveedor",)) == ["PROVEEDOR PRIVADO SAS"]
    assert found(tipos=("entidad_proveedor",)) == ["HOSPITAL QUE SUMINISTRA"]
    assert found(tipos=("proveedor", "entidad_proveedor")) == ["HOSPITAL QUE SUMINISTRA", "PROVEEDOR PRIVADO SAS"]
    assert len(found()) == 3


def test_a_segment_finds_its_families_classes_and_products():
    cuenta("SEGMENTO ENTERO", areas=("43000000",))
    cuenta("FAMILIA", areas=("43210000",))
    cuenta("CLASE", areas=("43211500",))
    cuenta("PRODUCTO", areas=("72101507", "43211503"))  # not the main category: any area counts
    cuenta("OTRO SEGMENTO", areas=("72101507",))
    cuenta("SIN AREAS")
    assert found(unspsc="43") == ["CLASE", "FAMILIA", "PRODUCTO", "SEGMENTO ENTERO"]
    assert found(unspsc="4321") == ["CLASE", "FAMILIA", "PRODUCTO"]
    assert found(unspsc="432115") == ["CLASE", "PRODUCTO"]
    assert found(unspsc="43211503") == ["PRODUCTO"]
    assert found(unspsc="72") == ["OTRO SEGMENTO", "PRODUCTO"]


def test_an_account_with_several_matching_areas_appears_once():
    cuenta("MUCHAS AREAS", areas=("43211503", "43211507", "43211500"))
    page = search.search(Filtros(unspsc="43"))
    assert names(page) == ["MUCHAS AREAS"] and page.total == 1


def test_department_and_municipality():
    cuenta("EN MEDELLIN", municipio="05001")
    cuenta("EN ENVIGADO", municipio="05266")
    cuenta("EN BOGOTA", municipio="11001")
    assert found(departamento="05") == ["EN ENVIGADO", "EN MEDELLIN"]
    assert found(municipio="05001") == ["EN MEDELLIN"]
    assert found(departamento="11", municipio="11001") == ["EN BOGOTA"]


def test_size_mipyme_and_type_of_organisation():
    cuenta("MICRO SAS", tamano="micro", mipyme=True, tipo_empresa="sas")
    cuenta("MEDIANA LTDA", tamano="mediana", mipyme=True, tipo_empresa="ltda")
    cuenta("GRANDE SA", tamano="grande", tipo_empresa="sociedad-anonima")
    cuenta("ALCALDIA SIN PERFIL", tipo="entidad_estatal")
    from registro.core.models import TipoEmpresa

    assert found(tamano="micro") == ["MICRO SAS"]
    assert found(mipyme=True) == ["MEDIANA LTDA", "MICRO SAS"]
    assert found(tipo_empresa=TipoEmpresa.objects.get(codigo="ltda").pk) == ["MEDIANA LTDA"]
    assert found(tamano="grande", mipyme=True) == []


def test_filters_combine_with_each_other_and_with_words():
    cuenta("CONSTRUCCIONES ANTIOQUIA SAS", municipio="05001", areas=("72101507",), tamano="micro", mipyme=True)
    cuenta("CONSTRUCCIONES BOGOTA SAS", municipio="11001", areas=("72101507",), tamano="micro", mipyme=True)
    cuenta("SISTEMAS ANTIOQUIA SAS", municipio="05001", areas=("43211503",), tamano="grande")
    cuenta("CONSTRUCCIONES GRANDES", municipio="05001", areas=("72101500",), tamano="grande")
    assert found(unspsc="72", departamento="05") == ["CONSTRUCCIONES ANTIOQUIA SAS", "CONSTRUCCIONES GRANDES"]
    assert found(unspsc="721015", mipyme=True) == ["CONSTRUCCIONES ANTIOQUIA SAS", "CONSTRUCCIONES BOGOTA SAS"]
    assert found(texto="construcciones", departamento="05", mipyme=True) == ["CONSTRUCCIONES ANTIOQUIA SAS"]
    assert found(texto="antioquia", unspsc="43", tipos=("proveedor",)) == ["SISTEMAS ANTIOQUIA SAS"]


# --- A result's row -------------------------------------------------------------------------------


def test_a_result_shows_name_nit_location_main_category_and_mipyme():
    e = cuenta(
        "COMPUTADORES DEL SUR SAS",
        nit="900123456",
        municipio="05001",
        areas=("43211503", "72101507"),
        mipyme=True,
        tamano="micro",
    )
    (row,) = search.search(Filtros(texto="computadores")).resultados
    assert (row.pk, row.nombre, row.nit, row.tipo) == (e.pk, "COMPUTADORES DEL SUR SAS", e.nit_con_dv, "Proveedor")
    assert (row.municipio, row.departamento) == ("MEDELLÍN", "ANTIOQUIA")
    assert (row.categoria_codigo, row.categoria_nombre, row.mipyme) == ("43211503", "Computadores notebook", True)


# --- Pages and count --------------------------------------------------------------------------------


def _walk(filtros: Filtros, size: int) -> tuple[list[int], list[str]]:
    """Every page forwards; returns the ids in order and the cursors of each page."""
    pks, cursors, cursor = [], [], None
    while True:
        page = search.search(filtros, cursor=cursor, size=size)
        pks += [r.pk for r in page.resultados]
        cursors.append(cursor)
        cursor = page.siguiente
        if cursor is None:
            return pks, cursors


def test_keyset_pages_have_no_duplicates_nor_gaps_even_with_equal_names():
    made = [cuenta(f"SUMINISTROS {n % 7}").pk for n in range(23)]  # seven names, many alike
    pks, _ = _walk(Filtros(texto="suministros"), size=5)
    assert sorted(pks) == sorted(made) and len(pks) == len(set(pks)) == 23
    expected = [r.pk for r in search.search(Filtros(texto="suministros"), size=100).resultados]
    assert pks == expected


def test_keyset_pages_cross_the_relevance_tiers_without_duplicates_nor_gaps():
    first = [cuenta(f"OMEGA {n:02d}").pk for n in range(7)]
    second = [cuenta(f"ALFA OMEGA {n:02d}").pk for n in range(8)]
    pks, _ = _walk(Filtros(texto="omega"), size=4)
    assert pks == first + second


def test_previous_pages_are_the_same_pages_backwards():
    for n in range(11):
        cuenta(f"OMEGA {n:02d}")
    for n in range(6):
        cuenta(f"ALFA OMEGA {n:02d}")
    filtros = Filtros(texto="omega")
    pages, cursor = [], None
    while True:
        page = search.search(filtros, cursor=cursor, size=4)
        pages.append(page)
        if page.siguiente is None:
            break
        cursor = page.siguiente
    assert pages[0].anterior is None and pages[-1].siguiente is None
    back = pages[-1]
    for expected in reversed(pages[:-1]):
        back = search.search(filtros, cursor=back.anterior, size=4)
        assert [r.pk for r in back.resultados] == [r.pk for r in expected.resultados]
    assert back.anterior is None


def test_paging_while_accounts_are_added_before_the_cursor_keeps_its_place():
    for n in range(6):
        cuenta(f"BETA {n}")
    page = search.search(Filtros(), size=3)
    cuenta("ALFA NUEVA")  # sorts before the cursor
    nxt = search.search(Filtros(), cursor=page.siguiente, size=3)
    assert names(nxt) == ["BETA 3", "BETA 4", "BETA 5"]


def test_more_matches_than_can_be_gathered_are_walked_and_counted_as_more_than(monkeypatch):
    """A first page that does not fill within the walk's budget, with more matches than the
    gathering keeps: walked without budget, its count "más de"."""
    monkeypatch.setattr(search, "WALK_BUDGET", 1)
    monkeypatch.setattr(search, "WALK_BUDGET_PROBES", 1)
    monkeypatch.setattr(search, "COUNT_LIMIT", 3)
    monkeypatch.setattr(search, "GATHER_LIMIT", 3)
    made = [cuenta(f"SUMINISTROS {n}").pk for n in range(8)]
    cuenta("OTRA COSA")
    page = search.search(Filtros(texto="suministros"), size=3)
    assert (page.total, page.total_exacto) == (3, False)
    pks, _ = _walk(Filtros(texto="suministros"), size=3)
    assert pks == made


def test_a_count_stops_at_its_cap():
    for n in range(3):
        cuenta(f"DELTA {n}")
    cuenta("OTRA COSA")
    plan = search._Plan(Filtros(texto="delta"), ["DELTA"])
    assert (plan.count(2), plan.count(10), len(plan.gather(10))) == (2, 3, 3)


def test_the_count_is_exact_up_to_the_limit_then_more_than(monkeypatch):
    for n in range(6):
        cuenta(f"PROVEEDOR {n}")
    page = search.search(Filtros(), size=2)
    assert (page.total, page.total_exacto) == (6, True)
    monkeypatch.setattr(search, "COUNT_LIMIT", 4)
    monkeypatch.setattr(search, "GATHER_LIMIT", 4)
    page = search.search(Filtros(), size=2)
    assert (page.total, page.total_exacto) == (4, False)


def test_a_cursor_is_opaque_and_checked():
    cursor = Cursor(tier=1, clave="OMEGA SAS", pk=12).encode()
    assert "OMEGA" not in cursor
    assert Cursor.decode(cursor) == Cursor(tier=1, clave="OMEGA SAS", pk=12)
    for bad in (
        "nada",
        "WzEsMCwiWCJd",
        Cursor(tier=7, clave="X", pk=1).encode(),
        Cursor(tier=0, clave="x y", pk=1).encode(),
        Cursor(tier=0, clave="X", pk=2**64).encode(),
    ):
        with pytest.raises(ApplicationError) as error:
            Cursor.decode(bad)
        assert error.value.status_code == 422 and "página" in error.value.message


def test_a_relevance_cursor_on_a_search_without_words_is_refused():
    cuenta("ALFA")
    with pytest.raises(ApplicationError):
        search.search(Filtros(), cursor=Cursor(tier=1, clave="ALFA", pk=1).encode())


# --- The form: one validation for page and API ----------------------------------------------------


def test_form_reads_codes_of_any_level_and_refuses_unknown_ones():
    form = DirectorioForm({"unspsc": "43000000"})
    assert form.is_valid() and form.filtros().unspsc == "43"
    form = DirectorioForm({"unspsc": "4321"})
    assert (
        form.is_valid()
        and form.filtros().unspsc == "4321"
        and form.codigo_unspsc.nombre == "Equipo informático y accesorios"
    )
    for bad, message in (
        ("19", "no existe"),
        ("4", "2, 4, 6 u 8"),
        ("123456789", "2, 4, 6 u 8"),
        ("xyzzy", "Ningún código del clasificador UNSPSC tiene «xyzzy»"),
        ("99999999", "no existe"),
    ):
        form = DirectorioForm({"unspsc": bad})
        assert not form.is_valid() and message in form.errors["unspsc"][0]
        assert form.unspsc_opciones == []


def test_form_reads_a_code_by_the_words_of_its_name():
    """One code with those words, or one named exactly so among several, is the filter."""
    for typed, code in (
        ("Equipo informático y accesorios", "4321"),  # a family, named exactly
        ("zanahoria AMSTERDAM", "50402501"),  # eight codes hold both words; one is named so
        ("zanahoria amsterdam organica enlatada", "50472501"),  # the only one
    ):
        form = DirectorioForm({"unspsc": typed})
        assert form.is_valid(), form.errors
        assert form.filtros().unspsc == code and form.codigo_unspsc.prefijo == code


def test_a_name_that_matches_several_codes_offers_them_to_choose():
    form = DirectorioForm({"unspsc": "amsterdam organica"})
    assert not form.is_valid()
    assert form.errors["unspsc"] == [
        "4 códigos UNSPSC tienen «amsterdam organica» en su nombre: elija uno o escriba el código."
    ]
    assert [c.codigo for c in form.unspsc_opciones] == ["50412501", "50432501", "50452501", "50472501"]
    form = DirectorioForm({"unspsc": "computador"})
    assert not form.is_valid()
    assert form.errors["unspsc"][0].startswith("Más de 10 códigos UNSPSC tienen «computador» en su nombre")
    assert len(form.unspsc_opciones) == 10
    with pytest.raises(ApplicationError) as caught:
        directory_forms.filtros_from({"unspsc": "amsterdam organica"})
    assert caught.value.status_code == 422
    assert [o["codigo"] for o in caught.value.detail["unspsc_opciones"]] == [
        "50412501",
        "50432501",
        "50452501",
        "50472501",
    ]
    assert caught.value.detail["unspsc_opciones"][0] == {
        "codigo": "50412501",
        "nivel": "producto",
        "nombre": "Zanahoria amsterdam orgánica",
    }


def test_form_refuses_a_municipality_of_another_department():
    form = DirectorioForm({"departamento": "11", "municipio": "05001"})
    assert not form.is_valid()
    assert form.errors["municipio"] == ["MEDELLÍN no es un municipio de BOGOTÁ, D.C.."]


def test_form_refuses_unknown_kinds_sizes_orders_and_bad_cursors():
    form = DirectorioForm({"tipo": ["otro"], "tamano": "enorme", "orden": "azar", "cursor": "xx"})
    assert not form.is_valid()
    assert set(form.errors) == {"tipo", "tamano", "orden", "cursor"}
    assert "Vuelva a buscar" in form.errors["cursor"][0]


@pytest.mark.postgres_only
def test_postgresqls_estimate_far_above_the_limit_is_more_than_without_counting(monkeypatch):
    for n in range(4):
        cuenta(f"PROVEEDOR {n}")
    monkeypatch.setattr(search, "ESTIMATE_FACTOR", 0)
    page = search.search(Filtros(texto="proveedor"), size=2)
    if page.total_exacto:  # gathered whole (the "gather" run): counted, not estimated
        assert page.total == 4
    else:
        assert page.total == search.COUNT_LIMIT


def test_the_estimate_is_postgresqls_only():
    from django.db import connection

    from registro.entities.directory.search import _Plan

    estimate = _Plan(Filtros(texto="proveedor sas", unspsc="43", mipyme=True), ["PROVEEDOR", "SAS"]).estimate()
    assert (estimate is None) == (connection.vendor != "postgresql")


@pytest.mark.postgres_only
def test_postgresqls_estimate_of_a_word_counts_the_names_with_a_word_so_begun():
    """The words are estimated by the words' index's own statistics (migration 0017): "AND" begins
    a word of 5 names; it is inside a word of 40 more ("FERNANDO"), which an estimate of the
    name as a substring (`clave LIKE '%AND%'`) counted too."""
    from django.db import connection

    for n in range(40):
        cuenta(f"FERNANDO {n}")
    for n in range(5):
        cuenta(f"ANDINA {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE entities_directorio")
    assert 1 <= search._Plan(Filtros(texto="and"), ["AND"]).estimate() <= 12
    assert search._Plan(Filtros(texto="fernan"), ["FERNAN"]).estimate() >= 30


@pytest.mark.postgres_only
def test_a_tag_most_accounts_hold_is_tested_on_the_row_beside_rarer_ones():
    """MiPyme and the supplier kind stay out of the GIN's intersection when a rarer tag is there
    (`search.COMMON_TAGS`); alone, they are the containment as any tag."""
    plan = search._Plan(Filtros(unspsc="721015", mipyme=True, tipos=("proveedor",)), [])
    assert plan.filter_conds == ["w.etiquetas @> %s::text[]", "%s = ANY(w.etiquetas)", "%s = ANY(w.etiquetas)"]
    assert plan.filter_params == [["u:721015"], "k:proveedor", "mipyme"]
    alone = search._Plan(Filtros(mipyme=True), [])
    assert (alone.filter_conds, alone.filter_params) == (["w.etiquetas @> %s::text[]"], [["mipyme"]])


@pytest.mark.postgres_only
def test_the_words_index_keeps_statistics_of_its_thousands_of_common_prefixes():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'directorio_buscar'::regclass AND attnum = 1"
        )
        assert cursor.fetchone()[0] == 1000


def test_few_matches_by_the_estimate_are_gathered_without_walking(monkeypatch):
    """Up to GATHER_ESTIMATE matches by the estimate, the first page gathers; one more, it walks."""
    expected = [cuenta(f"GAMMA {n}").pk for n in range(3)]
    walks = []
    walk = search._Plan.walk
    monkeypatch.setattr(search._Plan, "walk", lambda self, *a, **k: walks.append(a) or walk(self, *a, **k))
    for estimate, walked in ((search.GATHER_ESTIMATE, 0), (search.GATHER_ESTIMATE + 1, 1)):
        monkeypatch.setattr(search._Plan, "estimate", lambda self, e=estimate: e)
        walks.clear()
        page = search.search(Filtros(texto="gamma"), size=2)
        assert [r.pk for r in page.resultados] == expected[:2]
        assert len(walks) == walked
        if not walked:
            assert search.Cursor.decode(page.siguiente).estrategia == "G"


@pytest.mark.postgres_only
def test_the_narrow_name_index_is_for_walks_of_words_alone():
    """Migration 0015: `directorio_nombre` holds the names with letters or digits; a walk of words
    alone states its predicate (and may read it), a walk with filters does not (and reads the tags
    from `directorio_orden`)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'directorio_nombre'")
        assert cursor.fetchone()[0].endswith("WHERE (clave <> ''::text)")
    cuenta("EN MEDELLIN", municipio="05001")
    cuenta("EN BOGOTA", municipio="11001")
    walks = {}
    for name, filtros, words in (("words", Filtros(texto="en"), ["EN"]), ("filters", Filtros(departamento="05"), [])):
        with CaptureQueriesContext(connection) as ctx:
            rows = search._Plan(filtros, words).walk(None, 21, 1000)
        walks[name] = ([clave for _tier, clave, _pk in rows], [q["sql"] for q in ctx.captured_queries])
    assert walks["words"][0] == ["EN BOGOTA", "EN MEDELLIN"]
    assert walks["filters"][0] == ["EN MEDELLIN"]
    assert all("clave <> ''" in sql for sql in walks["words"][1])
    assert not any("clave <> ''" in sql for sql in walks["filters"][1])


@pytest.mark.postgres_only
def test_the_words_index_holds_every_prefix_of_every_word_up_to_its_length():
    """Migration 0016: `directorio_prefijos` is what the GIN index `directorio_buscar` holds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT directorio_prefijos(%s)::text", ["UNO CONSTRUCCIONES  A"])
        lexemes = cursor.fetchone()[0]
        cursor.execute("SELECT directorio_prefijos('')::text, directorio_prefijos(NULL) IS NULL")
        empty, null = cursor.fetchone()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'directorio_buscar'")
        indexdef = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_indexes "
            "WHERE indexname IN ('entidad_directorio_nombre', 'entidad_directorio_palabras')"
        )
        dropped = cursor.fetchone()[0]
    assert sorted(lexeme.strip("'") for lexeme in lexemes.split()) == sorted(
        {
            "A",
            "U",
            "UN",
            "UNO",
            "C",
            "CO",
            "CON",
            "CONS",
            "CONST",
            "CONSTR",
            "CONSTRU",
            "CONSTRUC",
            "CONSTRUCC",
            "CONSTRUCCI",
        }
    )
    assert (empty, null) == ("", True)
    assert "directorio_prefijos(clave), etiquetas" in indexdef
    assert dropped == 0  # only the old search read them
