import pytest

from registro.entities.account.selectors import entidad_search
from tests.factories import EntidadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    ["ese hospital", "E.S.E. HOSPITAL", "hospital narino", "Nariño", "san jose pasto", "  HOSPITAL   san  "],
)
def test_search_by_words_ignores_case_accents_and_abbreviation_dots(query):
    hospital = EntidadFactory(nombre="E.S.E. HOSPITAL SAN JOSÉ DE PASTO NARIÑO", nit="800123456")
    EntidadFactory(nombre="ALCALDIA MUNICIPAL DE TUNJA", nit="891800846")
    assert list(entidad_search(query=query)) == [hospital]


@pytest.mark.parametrize("query", ["800123456", "800.123.456", "800123456-1", "800 123 456", "8001"])
def test_search_by_nit_with_or_without_check_digit_and_separators(query):
    hospital = EntidadFactory(nombre="E.S.E. HOSPITAL SAN JOSÉ", nit="800123456")
    assert list(entidad_search(query=query)) == [hospital]


def test_empty_query_finds_nothing():
    EntidadFactory()
    assert list(entidad_search(query="   ")) == []
