"""The public API (`/api/v1/publico/`): the search (the Directorio's search, with public fields
only) and one account with the fields the visibility table lets the caller see; anonymous callers
are limited per IP address, one budget for both operations."""

from allauth.headless.contrib.ninja.security import XSessionTokenAuth
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from registro.core.api import parse_id
from registro.core.errors import ApplicationError, ErrorCode

from . import busqueda, ficha, limits, selectors
from .visibility import nivel_del_visor

router = Router(tags=["Vista pública"])
_token_auth = XSessionTokenAuth()


def _viewer(request: HttpRequest):
    """The caller: the browser session's user, or the X-Session-Token's; anonymous otherwise."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    if request.headers.get("X-Session-Token"):
        token_user = _token_auth(request)
        if token_user:
            request.user = token_user
            return token_user
    return None


class BusquedaQuery(Schema):
    """The public search's parameters, as its page takes them (`busqueda.BusquedaPublicaForm`
    validates both)."""

    q: str = Field("", max_length=255, description="Palabras del nombre (o su comienzo), o el NIT con o sin DV")
    tipo: list[str] = Field(
        default_factory=list, description="entidad_estatal, proveedor, entidad_proveedor (se puede repetir)"
    )
    unspsc: str = Field("", max_length=20, description="Código UNSPSC de 2, 4, 6 u 8 dígitos: encuentra lo de debajo")
    departamento: str = Field("", max_length=2, description="Código DANE del departamento")
    municipio: str = Field("", max_length=5, description="Código DANE del municipio")
    cursor: str = Field("", max_length=2000, description="`siguiente` o `anterior` de una respuesta anterior")


@router.get(
    "/cuentas",
    auth=None,
    url_name="publico_buscar",
    summary="Buscar cuentas activas (Entidades Estatales y Proveedores) con sus datos públicos",
    description=(
        "La búsqueda del Directorio, sin sesión: por palabras del nombre o NIT, tipo de cuenta, código UNSPSC "
        "(un segmento, familia o clase encuentra lo de debajo), departamento y municipio. Páginas por cursor "
        "(`siguiente`, `anterior`). Cada resultado lleva solo los campos públicos de la tabla de visibilidad "
        "(el NIT de una persona natural nunca). Sin sesión, `RATE_LIMIT_PUBLIC_API` consultas por dirección IP, "
        "las mismas que la vista de una cuenta (429 con `Retry-After`)."
    ),
)
def buscar(request, params: Query[BusquedaQuery]):
    viewer = _viewer(request)
    limits.anonymous_request_count(request)
    form = busqueda.BusquedaPublicaForm(params.dict())
    if not form.is_valid():
        errors = {name: [str(e) for e in messages] for name, messages in form.errors.items()}
        raise ApplicationError(
            ErrorCode.VALIDATION, _("Revise los parámetros de la búsqueda."), {"fields": errors}, status=422
        )
    pagina, resultados = busqueda.buscar(form)
    data = {
        "resultados": resultados,
        "total": pagina.total,
        "total_exacto": pagina.total_exacto,
        "siguiente": pagina.siguiente,
        "anterior": pagina.anterior,
        "nit": pagina.nit,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    cache_headers(response, public=viewer is None)
    return response


@router.get(
    "/cuentas/{cuenta_id}",
    auth=None,
    url_name="publico_cuenta",
    summary="Vista pública de una cuenta (Entidad Estatal o Proveedor) activa o suspendida",
    description=(
        "Los campos que la tabla de visibilidad permite a quien consulta: sin sesión, los públicos; a los usuarios "
        "de cuentas activas, además los contactos que necesitan para contratar; a la cuenta y a la Mesa de "
        "Servicio, todos. Responde 304 a un `If-None-Match` con el ETag vigente. Sin sesión, "
        "`RATE_LIMIT_PUBLIC_API` consultas por dirección IP (429 con `Retry-After`)."
    ),
)
def cuenta(request, cuenta_id: str):
    viewer = _viewer(request)
    limits.anonymous_request_count(request)
    pk = parse_id(cuenta_id)
    entidad = selectors.cuenta_publica_get(pk=pk) if pk else None
    if entidad is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, _("No hay una cuenta pública con ese número."), status=404)
    nivel = nivel_del_visor(viewer, entidad.pk)
    data = ficha.ficha(entidad, nivel)
    etag = ficha.validador(data, nivel=nivel, viewer=str(viewer.pk) if viewer else "")
    modified = ficha.ultima_modificacion(entidad)
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(modified.timestamp()))
    response = not_modified or JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False})
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    cache_headers(response, public=viewer is None)
    return response


def cache_headers(response: HttpResponse, *, public: bool) -> None:
    from django.conf import settings

    if public:
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie", "X-Session-Token"))
