"""The Directorio's own rows on PostgreSQL (migration 0014): one per active account, with its
filters as tags, kept by triggers whatever writes the account, its profile or its areas."""

import pytest
from django.db import connection

from registro.core.models import CodigoUNSPSC
from registro.entities.account.models import AreaInteres, Entidad, PerfilComercial, TipoCuenta
from registro.entities.directory import search
from registro.entities.directory.search import Filtros
from tests.entities.directory_data import cuenta

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _reference(reference_data):
    pass


def fila(entidad) -> tuple[str, set[str]] | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT clave, etiquetas FROM entities_directorio WHERE entidad_id = %s", [entidad.pk])
        row = cursor.fetchone()
    return (row[0], set(row[1])) if row else None


def test_an_active_account_has_its_row_with_every_filter_as_a_tag():
    e = cuenta(
        "Ferretería Andina SAS",
        municipio="05001",
        tamano="micro",
        mipyme=True,
        tipo_empresa="sas",
        areas=("43211501", "81111500"),
    )
    clave, tags = fila(e)
    assert clave == "FERRETERIA ANDINA SAS"
    tipo_empresa = PerfilComercial.objects.get(entidad=e).tipo_empresa_id
    assert tags == {
        "k:proveedor",
        "d:05",
        "m:05001",
        "s:micro",
        "mipyme",
        f"e:{tipo_empresa}",
        *("u:43", "u:4321", "u:432115", "u:43211501"),
        *("u:81", "u:8111", "u:811115"),
    }


def test_kinds_of_state_entities():
    entidad = cuenta("ALCALDIA DE PRUEBA", tipo=TipoCuenta.ENTIDAD_ESTATAL)
    provee = cuenta("HOSPITAL DE PRUEBA", tipo=TipoCuenta.ENTIDAD_ESTATAL, es_proveedor=True)
    assert "k:entidad_estatal" in fila(entidad)[1]
    assert "k:entidad_proveedor" in fila(provee)[1]


def test_the_row_follows_the_account_its_profile_and_its_areas():
    e = cuenta("OBRAS CIVILES LTDA", tamano="mediana", areas=("43211501",))
    Entidad.objects.filter(pk=e.pk).update(nombre_busqueda="OBRAS NUEVAS LTDA", departamento_id="11")
    PerfilComercial.objects.filter(entidad=e).update(tamano="pequena", es_mipyme=True)
    AreaInteres.objects.filter(entidad=e).delete()
    code = CodigoUNSPSC.objects.get(pk="72101500")
    AreaInteres.objects.create(entidad=e, codigo=code, prefijo=code.prefijo, principal=True)
    clave, tags = fila(e)
    assert clave == "OBRAS NUEVAS LTDA"
    assert {"d:11", "s:pequena", "mipyme", "u:72", "u:721015"} <= tags
    assert not {"s:mediana", "u:43"} & tags
    assert [r.nombre for r in search.search(Filtros(unspsc="72", mipyme=True)).resultados] == [e.nombre]


def test_an_account_that_is_not_active_has_no_row_and_gets_it_back_when_active():
    e = cuenta("SUMINISTROS DEL SUR SAS")
    Entidad.objects.filter(pk=e.pk).update(estado=Entidad.Estado.SUSPENDIDA)
    assert fila(e) is None
    assert search.search(Filtros(texto="suministros")).resultados == []
    Entidad.objects.filter(pk=e.pk).update(estado=Entidad.Estado.ACTIVA)
    assert fila(e) is not None
    pendiente = cuenta("PENDIENTE SAS", estado="pendiente")
    assert fila(pendiente) is None


def test_a_deleted_account_leaves_no_row():
    e = cuenta("EFIMERA SAS", areas=("43211501",))
    pk = e.pk
    e.delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM entities_directorio WHERE entidad_id = %s", [pk])
        assert cursor.fetchone()[0] == 0


def test_the_rebuild_gives_the_rows_the_triggers_keep():
    cuenta("UNO SAS", municipio="11001", areas=("43211501",), mipyme=True, tamano="micro")
    cuenta("DOS SAS", tipo=TipoCuenta.ENTIDAD_ESTATAL, es_proveedor=True)
    cuenta("TRES SAS", estado="suspendida")

    def everything():
        with connection.cursor() as cursor:
            cursor.execute("SELECT entidad_id, clave, etiquetas FROM entities_directorio ORDER BY 1")
            return [(pk, clave, sorted(tags)) for pk, clave, tags in cursor.fetchall()]

    before = everything()
    assert len(before) == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT directorio_rebuild()")
    assert everything() == before


def test_many_sparse_matches_are_paged_by_seeking_through_the_words_index(monkeypatch):
    """A word search whose walk finds too little and whose matches are too many to gather whole
    seeks each page through the words' index: the same pages, both ways, as the walk gives."""
    first = [cuenta(f"OMEGA {n:02d}").pk for n in range(5)]
    second = [cuenta(f"ALFA OMEGA {n:02d}").pk for n in range(6)]
    cuenta("OTRA COSA SAS")
    expected = first + second
    walked, cursor = [], None
    while True:
        page = search.search(Filtros(texto="omega"), cursor=cursor, size=3)
        walked += [r.pk for r in page.resultados]
        if not page.siguiente:
            break
        cursor = page.siguiente
    assert walked == expected

    monkeypatch.setattr(search, "WALK_BUDGET", 1)
    monkeypatch.setattr(search, "GATHER_LIMIT", 4)
    sought, cursor, sought_pages = [], None, []
    while True:
        page = search.search(Filtros(texto="omega"), cursor=cursor, size=3)
        sought_pages.append(page)
        sought += [r.pk for r in page.resultados]
        if not page.siguiente:
            break
        assert search.Cursor.decode(page.siguiente).estrategia == "S"
        cursor = page.siguiente
    assert sought == expected
    assert sought_pages[0].total == 4 and not sought_pages[0].total_exacto  # "más de 4"
    back = search.search(Filtros(texto="omega"), cursor=sought_pages[-1].anterior, size=3)
    assert [r.pk for r in back.resultados] == [r.pk for r in sought_pages[-2].resultados]


def test_far_more_matches_than_can_be_gathered_by_the_estimate_seek_at_once(monkeypatch):
    expected = [cuenta(f"ALFA OMEGA {n:02d}").pk for n in range(4)]
    monkeypatch.setattr(search, "WALK_BUDGET", 1)
    monkeypatch.setattr(search._Plan, "estimate", lambda self: 10**6)  # "far more" matches
    gathered = []
    monkeypatch.setattr(search._Plan, "gather", lambda self, cap: gathered.append(cap) or [])
    monkeypatch.setattr(search._Plan, "count", lambda self, cap: gathered.append(cap) or 0)
    page = search.search(Filtros(texto="omega"), size=3)
    assert [r.pk for r in page.resultados] == expected[:3]
    assert search.Cursor.decode(page.siguiente).estrategia == "S"
    assert (page.total, page.total_exacto) == (search.COUNT_LIMIT, False) and gathered == []
    rest = search.search(Filtros(texto="omega"), cursor=page.siguiente, size=3)
    assert [r.pk for r in rest.resultados] == expected[3:]
