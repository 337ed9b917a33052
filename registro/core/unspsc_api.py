"""The classifier in the API (R9.4): `/api/v1/unspsc?q=` searches codes and Spanish names,
`/api/v1/unspsc/{codigo}` gives one code with its path and the level below it. Public reference
data, like DIVIPOLA."""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from . import unspsc
from .errors import ApplicationError, ErrorCode

router = Router(tags=["Referencia"])


class CodigoOut(Schema):
    codigo: str
    nivel: str
    nombre: str
    padre: str | None = Field(None, alias="padre_id")


class CodigoDetailOut(CodigoOut):
    ruta: list[CodigoOut]
    hijos: list[CodigoOut]


class SearchParams(Schema):
    q: str = Field(
        "",
        max_length=100,
        description="Código (2, 4, 6 u 8 dígitos: todo lo que empieza así) o palabras del nombre en español. "
        "Vacío: los segmentos.",
    )


@router.get(
    "",
    response=list[CodigoOut],
    auth=None,
    url_name="unspsc_search",  # "search" is the entities' search (api:search, the signup's picker)
    summary="Clasificador UNSPSC: buscar por código o nombre",
)
def search(request, params: Query[SearchParams]):
    if not params.q.strip():
        return unspsc.unspsc_children()
    return unspsc.unspsc_search(query=params.q)


@router.get(
    "/{codigo}",
    response=CodigoDetailOut,
    auth=None,
    url_name="unspsc_detail",
    summary="Un código UNSPSC, su ruta y sus hijos",
)
def detail(request, codigo: str):
    code = unspsc.normalize_code(codigo)
    path = unspsc.unspsc_path(code) if code else []
    if not path:
        raise ApplicationError(ErrorCode.NOT_FOUND, _("No existe ese código en el clasificador UNSPSC."), status=404)
    current = path[-1]
    return {
        "codigo": current.codigo,
        "nivel": current.nivel,
        "padre_id": current.padre_id,
        "nombre": current.nombre,
        "ruta": path,
        "hijos": unspsc.unspsc_children(codigo=current.codigo),
    }
