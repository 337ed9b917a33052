"""The JSON API's root: every app's router mounted under /api/v1/, and the exception handlers that
answer every error in the envelope of registro.core.api."""

import logging

from allauth.core.exceptions import ReauthenticationRequired
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from registro.accounts import reauthentication
from registro.accounts.api import reference_router
from registro.accounts.api import router as accounts_router
from registro.core.api import InvalidText, TextCheckingParser, error_body, unreadable_body
from registro.core.csp import api_reference_page
from registro.core.errors import ApplicationError, ErrorCode
from registro.core.unspsc_api import router as unspsc_router
from registro.entities.console.api import router as console_router
from registro.entities.directory.api import router as directory_router
from registro.entities.information_requests.api import router as information_requests_router
from registro.entities.registration.api import reference_router as entities_reference_router
from registro.entities.registration.api import router as entities_router
from registro.publico.api import router as publico_router
from registro.servicedesk.api import router as servicedesk_router

api = NinjaAPI(
    title="Registro SECOP API",
    version="1.0.0",
    description=(
        "API JSON de Registro SECOP. El registro, la confirmación, el inicio y cierre de sesión, el cambio y la "
        "recuperación de contraseña están en la API de autenticación (`/api/v1/auth/openapi.json`, documentada en "
        "`/api/v1/auth/openapi.html`). Autenticación: cookie de sesión con CSRF o cabecera `X-Session-Token`. "
        "Las operaciones de `/entidad/…` actúan a nombre de la Entidad activa del usuario "
        "(`GET`/`PUT /me/entidad-activa`); la cabecera `X-Entidad: <id>` elige otra de sus Entidades para "
        "una sola llamada.\n\n"
        "**Acciones sensibles** (activar, rechazar, suspender o reactivar una cuenta; designar un Usuario "
        "Administrador desde un caso; nombrar, suspender o retirar un Usuario Administrador; cambiar roles): "
        "piden una prueba reciente de identidad, es decir, haber iniciado sesión o confirmado la contraseña (o el "
        "segundo factor) en los últimos minutos (`REAUTHENTICATION_TIMEOUT_SECONDS`, 300 por omisión). Sin ella "
        "responden `401` con `code` `reauthentication_required` y, en `detail`, la acción, los métodos "
        "disponibles (`flows`) y dónde confirmar: `POST /api/v1/auth/app/v1/auth/reauthenticate` con "
        '`X-Session-Token` y `{"password": …}` (o `…/browser/…` con la cookie y CSRF). Después, repita la '
        "llamada. El cambio de correo de la API de autenticación pide lo mismo con la respuesta `401` de allauth."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=api_reference_page,
    parser=TextCheckingParser(),
)
api.add_router("", accounts_router)
api.add_router("/reference", reference_router)
api.add_router("", entities_router)
api.add_router("/reference", entities_reference_router)
api.add_router("", servicedesk_router)
api.add_router("", console_router)
api.add_router("", information_requests_router)
api.add_router("/unspsc", unspsc_router)
api.add_router("/directorio", directory_router)
api.add_router("/publico", publico_router)


def _error(request, status: int, code: str, message: str, detail: dict | None = None):
    return api.create_response(request, error_body(code, message, detail), status=status)


@api.exception_handler(ApplicationError)
def on_application_error(request, exc: ApplicationError):
    response = _error(request, exc.status_code, exc.code, exc.message, exc.detail)
    if exc.status_code == 429 and "retry_after" in exc.detail:
        response["Retry-After"] = str(exc.detail["retry_after"])
    return response


@api.exception_handler(ReauthenticationRequired)
def on_reauthentication_required(request, exc: ReauthenticationRequired):
    # A sensitive action without a recent proof of identity (accounts/reauthentication.py).
    action = getattr(exc, "action", None)
    return _error(
        request,
        401,
        ErrorCode.REAUTHENTICATION_REQUIRED,
        reauthentication.api_error_message(action),
        reauthentication.api_error_detail(request, action),
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    # get_object_or_404 in handlers (another entity's objects among them): the same envelope.
    return _error(request, 404, ErrorCode.NOT_FOUND, _("No existe lo que busca, o no está a su alcance."))


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return _error(request, 422, ErrorCode.VALIDATION, _("Revise los datos enviados."), {"errors": exc.errors})


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return _error(request, 401, "not_authenticated", _("Debe iniciar sesión."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, InvalidText):  # ninja wraps the parser's refusal of a JSON body
        return on_validation_error(request, ValidationError(exc.__cause__.errors))
    if exc.status_code == 403 and "csrf" in str(exc).lower():
        return _error(
            request,
            403,
            "csrf_failed",
            _("Falta el encabezado X-CSRFToken con el valor de la cookie csrftoken (o use X-Session-Token)."),
        )
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(RequestDataTooBig)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
@api.exception_handler(MultiPartParserError)
def on_unreadable_body(request, exc):
    # Django raises these while reading the body (request.body, request.POST), which ninja does
    # inside the operation; left alone they would be Django's HTML 400 page. Logged as Django logs
    # the suspicious ones.
    if isinstance(exc, SuspiciousOperation):
        logging.getLogger(f"django.security.{exc.__class__.__name__}").warning(str(exc))
    status, code, message = unreadable_body(exc)
    return _error(request, status, code, message)
