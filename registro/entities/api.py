from ninja import Query, Router, Schema
from pydantic import Field

from .schemas import EntidadSearchOut
from .selectors import entidad_search

router = Router(tags=["Entidades"])


class SearchParams(Schema):
    q: str = Field(min_length=1, max_length=255, description="Nombre (cualquier palabra) o NIT")


@router.get(
    "/entidades/buscar",
    response=list[EntidadSearchOut],
    auth=None,
    summary="Buscar Entidades Estatales registradas por nombre o NIT",
)
def search(request, params: Query[SearchParams]):
    # Public: the list of registered entities is public information, and registration needs it.
    return list(entidad_search(query=params.q))
