"""registro.core.compiled: a query built once per process and database, run for each value with the
ORM's own conversions."""

import pytest

from registro.core.compiled import PLACEHOLDER, CompiledQuery
from registro.entities.account.models import Entidad
from tests.factories import EntidadFactory

pytestmark = pytest.mark.django_db


def test_it_is_built_once_and_gives_what_the_orm_gives():
    built = []

    def build(pk):
        built.append(pk)
        return Entidad.objects.filter(pk=pk)

    query = CompiledQuery(build)
    a, b = EntidadFactory(nombre="UNA", es_proveedor=True), EntidadFactory(nombre="OTRA")
    for entidad in (a, b, a):
        (row,) = query.run(entidad.pk, using="default")
        orm = Entidad.objects.get(pk=entidad.pk)
        assert (row.pk, row.nombre, row.es_proveedor, row.created_at) == (
            orm.pk,
            orm.nombre,
            orm.es_proveedor,
            orm.created_at,
        )
        assert isinstance(row.es_proveedor, bool) and row.created_at.tzinfo is not None
    assert built == [PLACEHOLDER]
    assert list(query.run(-1, using="default")) == []
    query.clear()
    assert [e.pk for e in query.run(b.pk, using="default")] == [b.pk]
    assert built == [PLACEHOLDER, PLACEHOLDER]


def test_a_query_without_the_placeholder_is_refused():
    with pytest.raises(ValueError):
        CompiledQuery(lambda pk: Entidad.objects.filter(pk=1)).run(5, using="default")
