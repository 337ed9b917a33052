"""The public API (`/api/v1/publico/`): one account with the fields the visibility table lets the
caller see; anonymous callers are limited per IP address. The public search will be mounted here
from the directory's search selector (issue 12), not written twice."""

from allauth.headless.contrib.ninja.security import XSessionTokenAuth
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from ninja import Router

from registro.core.api import parse_id
from registro.core.errors import ApplicationError, ErrorCode

from . import ficha, limits, selectors
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
